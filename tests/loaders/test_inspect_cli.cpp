// `sprout inspect` end to end: the binary on real files (exit 0, the tensor
// table / JSON) and on every hostile file (exit 1, exactly one stderr line
// "sprout: error: <file>: <cause>", nothing on stdout).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include "loaders/json_util.h"
#include "loaders/weights.h"
#include "tests/loaders/hostile_cases.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {

struct CliRun {
  int code;
  std::string out, err;
};

std::string slurp(const std::string& p) {
  const auto b = test::read_bytes(p);
  return std::string(b.begin(), b.end());
}

CliRun run_sprout(const std::string& args, const test::TempDir& tmp) {
  const std::string out = tmp.file("stdout"), err = tmp.file("stderr");
  const std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout " + args + " >" + out + " 2>" + err + " </dev/null";
  const int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(out), slurp(err)};
}

std::string q(const std::string& s) { return "'" + s + "'"; }

TEST(InspectCli, HostileFilesExit1WithOneLine) {
  test::TempDir dir;
  for (const hostile::Case& c : hostile::cases()) {
    SCOPED_TRACE(c.name);
    const std::string path = dir.file(c.name);
    test::write_bytes(path, c.bytes);
    const CliRun r = run_sprout("inspect " + q(path), dir);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "sprout: error: " + path + ": " + c.cause + "\n");
    EXPECT_EQ(r.out, "");
  }
}

TEST(InspectCli, MissingFileAndUsage) {
  test::TempDir dir;
  CliRun r = run_sprout("inspect " + dir.file("nope.gguf"), dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "sprout: error: " + dir.file("nope.gguf") + ": no such file\n");
  r = run_sprout("inspect", dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "sprout: error: FILE_OR_DIR: required (see 'sprout inspect --help')\n");
  r = run_sprout("inspect --bogus x", dir);
  EXPECT_EQ(r.code, 2);
  r = run_sprout("inspect --help", dir);
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--json"), std::string::npos);
}

TEST(InspectCli, RealGgufText) {
  test::TempDir dir;
  const std::string f = test::repo_path("tests/data/loaders/ggml-vocab-bert-bge.gguf");
  const CliRun r = run_sprout("inspect " + q(f), dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("format:  gguf (version 3, alignment 32"), std::string::npos);
  EXPECT_NE(r.out.find("bert.embedding_length"), std::string::npos);
  EXPECT_NE(r.out.find("string[30522]"), std::string::npos);
  EXPECT_NE(r.out.find("tensors (0, 0 bytes)"), std::string::npos);
}

TEST(InspectCli, JsonAgreesWithTheLoader) {
  test::TempDir dir;
  // A GGUF with a quantized tensor and a long array, written by GgufWriter.
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  std::vector<int32_t> ids(100);
  for (int i = 0; i < 100; ++i) ids[size_t(i)] = i;
  w.set_array("ids", GgufType::i32, ids.data(), ids.size());
  std::vector<uint8_t> q4(*tensor_bytes(DType::q4_k, {3, 256}));
  w.add_tensor("blk.0.ffn_up.weight", DType::q4_k, {3, 256}, q4.data());
  w.write(dir.file("m.gguf"));
  CliRun r = run_sprout("inspect --json " + q(dir.file("m.gguf")), dir);
  ASSERT_EQ(r.code, 0) << r.err;
  Json j = parse_json(r.out, "stdout");
  EXPECT_EQ(j["format"], "gguf");
  EXPECT_EQ(j["gguf_version"], 3);
  EXPECT_EQ(j["metadata"]["general.architecture"], "llama");
  EXPECT_EQ(j["metadata"]["ids"]["count"], 100);
  EXPECT_EQ(j["metadata"]["ids"]["head"][7], 7);
  ASSERT_EQ(j["tensors"].size(), 1u);
  EXPECT_EQ(j["tensors"][0]["name"], "blk.0.ffn_up.weight");
  EXPECT_EQ(j["tensors"][0]["dtype"], "q4_k");
  EXPECT_EQ(j["tensors"][0]["shape"], Json::array({3, 256}));
  EXPECT_EQ(j["tensors"][0]["bytes"], 3 * 144);
  r = run_sprout("inspect " + q(dir.file("m.gguf")), dir);
  EXPECT_NE(r.out.find("blk.0.ffn_up.weight  q4_k    [3, 256]"), std::string::npos) << r.out;

  // Every model file and directory in the repo's test data inspects, and agrees with WeightStore.
  namespace fs = std::filesystem;
  int seen = 0;
  for (const auto& e : fs::recursive_directory_iterator(test::repo_path("tests/data"))) {
    const std::string p = e.path().string();
    const bool model_dir = e.is_directory() && (fs::exists(e.path() / "model.safetensors") ||
                                                fs::exists(e.path() / "model.safetensors.index.json"));
    if (!model_dir && !(e.is_regular_file() && (p.ends_with(".gguf") || p.ends_with(".safetensors")))) continue;
    SCOPED_TRACE(p);
    r = run_sprout("inspect --json " + q(p), dir);
    ASSERT_EQ(r.code, 0) << r.err;
    j = parse_json(r.out, p);
    const auto ws = WeightStore::open(p);
    EXPECT_EQ(j["format"], ws->format());
    EXPECT_EQ(j["tensor_count"], ws->infos().size());
    EXPECT_EQ(j["file_bytes"], ws->file_bytes());
    ++seen;
  }
  EXPECT_GE(seen, 3);
}

}  // namespace
}  // namespace sprout
