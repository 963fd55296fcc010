#include <gtest/gtest.h>

#include "loaders/weights.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {
using test::Bytes;
using test::expect_error;
using test::safetensors_bytes;

// A safetensors file holding f32 tensors name -> values (1-D).
Bytes st_file(const std::vector<std::pair<std::string, std::vector<float>>>& ts) {
  std::string h = "{";
  Bytes data;
  for (const auto& [name, v] : ts) {
    const size_t b = data.size(), e = b + v.size() * 4;
    if (h.size() > 1) h += ",";
    h += "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + std::to_string(v.size()) + "],\"data_offsets\":[" +
         std::to_string(b) + "," + std::to_string(e) + "]}";
    data.resize(e);
    std::memcpy(data.data() + b, v.data(), v.size() * 4);
  }
  h += ",\"__metadata__\":{\"format\":\"pt\"}}";
  while ((8 + h.size()) % 8) h += ' ';
  return safetensors_bytes(h, data);
}

TEST(WeightStore, SingleSafetensorsFileAndDirectory) {
  test::TempDir dir;
  test::write_bytes(dir.file("model.safetensors"), st_file({{"b", {3, 4}}, {"a", {1, 2}}}));
  for (const std::string& p : {dir.path(), dir.file("model.safetensors")}) {
    for (bool use_mmap : {true, false}) {
      auto ws = WeightStore::open(p, use_mmap);
      EXPECT_EQ(ws->format(), "safetensors");
      EXPECT_EQ(ws->names(), (std::vector<std::string>{"b", "a"}));  // file order
      EXPECT_TRUE(ws->has("a"));
      EXPECT_FALSE(ws->has("c"));
      EXPECT_EQ(ws->get("a").as<float>()[1], 2.f);
      EXPECT_EQ(ws->get("b").shape_str(), "[2]");
      EXPECT_EQ(ws->metadata().at("format"), "pt");
      EXPECT_EQ(ws->gguf(), nullptr);
      EXPECT_EQ(ws->file_bytes(), test::read_bytes(dir.file("model.safetensors")).size());
      expect_error([&] { ws->get("c"); }, p + ": missing tensor 'c'");
      EXPECT_NO_THROW(ws->check_unchanged());
    }
  }
}

TEST(WeightStore, ShardedDirectory) {
  test::TempDir dir;
  test::write_bytes(dir.file("model-00001-of-00002.safetensors"), st_file({{"x", {1}}, {"y", {2}}}));
  test::write_bytes(dir.file("model-00002-of-00002.safetensors"), st_file({{"z", {3, 3}}}));
  test::write_text(dir.file("model.safetensors.index.json"),
                   R"({"metadata": {"total_size": 16}, "weight_map": {"x": "model-00001-of-00002.safetensors",
                       "y": "model-00001-of-00002.safetensors", "z": "model-00002-of-00002.safetensors"}})");
  auto ws = WeightStore::open(dir.path());
  EXPECT_EQ(ws->names(), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(ws->get("z").as<float>()[1], 3.f);
  EXPECT_EQ(ws->get("y").as<float>()[0], 2.f);
  EXPECT_EQ(ws->files().size(), 2u);
  EXPECT_EQ(ws->metadata().at("total_size"), "16");
  EXPECT_EQ(safetensors_files_in(dir.path()).size(), 2u);
}

TEST(WeightStore, ShardedDirectoryErrors) {
  test::TempDir dir;
  const std::string index = dir.file("model.safetensors.index.json");
  test::write_bytes(dir.file("a.safetensors"), st_file({{"x", {1}}}));
  test::write_bytes(dir.file("b.safetensors"), st_file({{"x", {2}}}));
  test::write_text(index, R"({"weight_map": {"x": "../../etc/passwd"}})");
  expect_error([&] { WeightStore::open(dir.path()); },
               index + ": weight_map 'x': shard '../../etc/passwd' is not a plain file name");
  test::write_text(index, R"({"weight_map": {"x": "a.safetensors", "q": "a.safetensors"}})");
  expect_error([&] { WeightStore::open(dir.path()); },
               dir.path() + ": model.safetensors.index.json lists tensor 'q' but no shard holds it");
  test::write_text(index, R"({"weight_map": {"x": "a.safetensors", "y": "b.safetensors"}})");
  expect_error([&] { WeightStore::open(dir.path()); }, dir.path() + ": tensor 'x' appears in more than one shard");
  test::write_text(index, R"({"weight_map": {"x": "c.safetensors"}})");
  expect_error([&] { WeightStore::open(dir.path()); }, dir.file("c.safetensors") + ": no such file");
  test::write_text(index, R"({"weight_map": {"x": 3}})");
  expect_error([&] { WeightStore::open(dir.path()); }, index + ": weight_map 'x': expected string, got integer");
  test::write_text(index, R"({"metadata": {}})");
  expect_error([&] { WeightStore::open(dir.path()); }, index + ": missing key 'weight_map'");
  std::filesystem::remove(index);
  expect_error([&] { WeightStore::open(dir.path()); },
               dir.path() + ": 2 .safetensors files but no model.safetensors.index.json");
}

TEST(WeightStore, OpenErrors) {
  test::TempDir dir;
  expect_error([&] { WeightStore::open(dir.path()); },
               dir.path() + ": no model.safetensors or model.safetensors.index.json in the directory");
  expect_error([&] { WeightStore::open(dir.file("none.gguf")); }, dir.file("none.gguf") + ": no such file");
  test::write_text(dir.file("x.bin"), "hello world, not a model");
  expect_error([&] { WeightStore::open(dir.file("x.bin")); },
               dir.file("x.bin") + ": unknown model format (expected a .gguf, a .safetensors or a model directory)");
  test::write_text(dir.file("x.gguf"), "GGML nope");
  expect_error([&] { WeightStore::open(dir.file("x.gguf")); }, dir.file("x.gguf") + ": not a GGUF file (bad magic)");
}

TEST(WeightStore, Gguf) {
  test::TempDir dir;
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  const float v[64] = {1.5f};
  w.add_tensor("token_embd.weight", DType::f32, {2, 32}, v);
  w.write(dir.file("m.gguf"));
  auto ws = WeightStore::open(dir.file("m.gguf"));
  EXPECT_EQ(ws->format(), "gguf");
  ASSERT_NE(ws->gguf(), nullptr);
  EXPECT_EQ(ws->gguf()->get_string("general.architecture"), "llama");
  const Tensor t = ws->get("token_embd.weight");
  EXPECT_EQ(t.shape_str(), "[2, 32]");
  EXPECT_EQ(t.as<float>()[0], 1.5f);
  EXPECT_EQ(ws->names(), std::vector<std::string>{"token_embd.weight"});
}

}  // namespace
}  // namespace sprout
