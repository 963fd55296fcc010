// sprout quantize: dtype planning, HF -> GGUF conversion checked against the GGUF files
// the reference tool (tools/qwen_reference, following llama.cpp's converter) wrote for the
// same tiny models, quantization error bounds, vocabulary export, and failure modes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "app/gguf_export.h"
#include "engine/error.h"
#include "engine/quantize.h"
#include "loaders/gguf.h"
#include "loaders/tokenizer.h"
#include "loaders/weights.h"
#include "tests/cli_util.h"
#include "tests/test_util.h"

using namespace sprout;
namespace fs = std::filesystem;

namespace {

std::string tmp_file(const std::string& name) {
  const char* t = std::getenv("TMPDIR");
  return std::string(t && *t ? t : "/tmp") + "/sprout-q-" + std::to_string(::getpid()) + "-" + name;
}

std::vector<uint8_t> tensor_bytes(const Tensor& t) {
  const auto* p = static_cast<const uint8_t*>(t.data);
  return std::vector<uint8_t>(p, p + t.nbytes());
}

}  // namespace

TEST(QuantizePlan, NormsAndBiasesStayF32) {
  bool fb;
  EXPECT_EQ(app::plan_dtype("q4_0", "blk.0.attn_norm.weight", {2048}, 0, 24, &fb), DType::f32);
  EXPECT_EQ(app::plan_dtype("q8_0", "blk.0.attn_q.bias", {2048}, 0, 24, &fb), DType::f32);
  EXPECT_EQ(app::plan_dtype("q8_0", "blk.0.attn_q.weight", {2048, 2048}, 0, 24, &fb), DType::q8_0);
  EXPECT_FALSE(fb);
}

TEST(QuantizePlan, RowsThatDoNotFitFallBackPerTensor) {
  // Qwen1.5-1.8B's ffn_down rows are 5504 long: 21.5 blocks of 256, 172 blocks of 32.
  bool fb;
  EXPECT_EQ(app::plan_dtype("q4_k", "blk.3.ffn_down.weight", {2048, 5504}, 3, 24, &fb), DType::q5_0);
  EXPECT_TRUE(fb);
  EXPECT_EQ(app::plan_dtype("q6_k", "blk.3.ffn_down.weight", {2048, 5504}, 3, 24, &fb), DType::q8_0);
  EXPECT_EQ(app::plan_dtype("q5_k", "blk.3.ffn_down.weight", {2048, 5504}, 3, 24, &fb), DType::q5_1);
  EXPECT_EQ(app::plan_dtype("q4_k", "blk.3.ffn_up.weight", {5504, 2048}, 3, 24, &fb), DType::q4_k);
  EXPECT_FALSE(fb);
  EXPECT_EQ(app::plan_dtype("q8_0", "x.weight", {4, 33}, -1, 0, &fb), DType::f16);  // 33: no 32-block fits
  EXPECT_TRUE(fb);
}

TEST(QuantizePlan, Q4KMGivesMoreBitsWhereLlamaCppDoes) {
  // 24 layers: first and last eighth (0-2, 21-23) and every third layer between (5, 8, ..., 20).
  bool fb;
  std::vector<int> more;
  for (int l = 0; l < 24; ++l)
    if (app::plan_dtype("q4_k_m", "blk." + std::to_string(l) + ".attn_v.weight", {256, 2048}, l, 24, &fb) ==
        DType::q6_k)
      more.push_back(l);
  EXPECT_EQ(more, (std::vector<int>{0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23}));
  EXPECT_EQ(app::plan_dtype("q4_k_m", "blk.4.attn_q.weight", {2048, 2048}, 4, 24, &fb), DType::q4_k);
  EXPECT_EQ(app::plan_dtype("q4_k_m", "output.weight", {151936, 2048}, -1, 24, &fb), DType::q6_k);
  EXPECT_THROW(app::plan_dtype("q3_k", "x.weight", {2, 256}, -1, 0, &fb), sprout::UsageError);
}

// The reference tool wrote each tiny model both as a HF directory and as a GGUF file the way
// llama.cpp's converter does (names, q/k row permutation for "llama"). Converting the HF
// directory to the GGUF's dtype must give identical tensors.
void expect_same_tensors(const std::string& hf_dir, const std::string& ref_gguf, const char* type) {
  const std::string out = tmp_file(std::string(type) + fs::path(hf_dir).filename().string() + ".gguf");
  app::quantize_to_gguf(hf_dir, out, type, nullptr);
  auto mine = WeightStore::open(out);
  auto ref = WeightStore::open(ref_gguf);
  auto names = mine->names(), ref_names = ref->names();
  std::sort(names.begin(), names.end());
  std::sort(ref_names.begin(), ref_names.end());
  EXPECT_EQ(names, ref_names);
  for (const std::string& n : ref_names) {
    if (!mine->has(n)) continue;
    const Tensor a = mine->get(n), b = ref->get(n);
    ASSERT_EQ(a.shape_str(), b.shape_str()) << n;
    ASSERT_EQ(a.dtype, b.dtype) << n;
    EXPECT_TRUE(tensor_bytes(a) == tensor_bytes(b)) << n << " differs from the reference converter's";
  }
  const GgufFile* g = mine->gguf();
  const GgufFile* r = ref->gguf();
  const std::string arch = r->get_string("general.architecture");
  EXPECT_EQ(g->get_string("general.architecture"), arch);
  for (const char* k : {".context_length", ".embedding_length", ".block_count", ".feed_forward_length",
                        ".attention.head_count", ".attention.head_count_kv"})
    EXPECT_EQ(g->get_int(arch + k), r->get_int(arch + k)) << k;
  EXPECT_FLOAT_EQ(float(g->get_float(arch + ".rope.freq_base")), float(r->get_float(arch + ".rope.freq_base")));
  fs::remove(out);
}

TEST(Quantize, Qwen2HfToGgufMatchesReferenceConverter) {
  expect_same_tensors(test::repo_path("tests/data/llama/qwen2_gqa_untied_f32"),
                      test::repo_path("tests/data/llama/qwen2_gqa_untied_f32.gguf"), "f32");
}

TEST(Quantize, LlamaHfToGgufPermutesQKLikeReferenceConverter) {
  expect_same_tensors(test::repo_path("tests/data/llama/llama_gqa_f16"),
                      test::repo_path("tests/data/llama/llama_gqa_f16.gguf"), "f16");
}

TEST(Quantize, Q8_0ErrorWithinHalfAStepOfEachBlock) {
  // q8_0: value = d * q with d = max|block| / 127 rounded to f16, so each value is within
  // d/2 (+ the f16 rounding of d, relative 2^-11 of max|block|) of the original.
  const std::string hf = test::repo_path("tests/data/llama/qwen2_gqa_untied_f32");
  const std::string out = tmp_file("q8.gguf");
  const auto rep = app::quantize_to_gguf(hf, out, "q8_0", nullptr);
  EXPECT_EQ(rep.tensors, 27);
  auto src = WeightStore::open(hf);
  auto q = WeightStore::open(out);
  const Tensor orig = src->get("model.layers.1.mlp.up_proj.weight");
  const Tensor quant = q->get("blk.1.ffn_up.weight");
  ASSERT_EQ(quant.dtype, DType::q8_0);
  const auto a = to_f32(orig), b = to_f32(quant);
  ASSERT_EQ(a.size(), b.size());
  for (size_t blk = 0; blk < a.size() / 32; ++blk) {
    float amax = 0;
    for (size_t i = 0; i < 32; ++i) amax = std::fmax(amax, std::fabs(a[blk * 32 + i]));
    for (size_t i = 0; i < 32; ++i)
      ASSERT_LE(std::fabs(a[blk * 32 + i] - b[blk * 32 + i]), amax / 254.f * 1.01f + amax * 1e-3f) << blk;
  }
  fs::remove(out);
}

TEST(Quantize, GgufToGgufRequantizes) {
  const std::string in = test::repo_path("tests/data/llama/qwen2_gqa_untied_f32.gguf");
  const std::string out = tmp_file("requant.gguf");
  app::quantize_to_gguf(in, out, "q4_0", nullptr);
  auto g = GgufFile::open(out);
  EXPECT_EQ(g->get_int("general.file_type"), 2);
  EXPECT_EQ(g->tensor("blk.0.attn_q.weight")->dtype, DType::q4_0);
  EXPECT_EQ(g->tensor("blk.0.attn_norm.weight")->dtype, DType::f32);
  EXPECT_EQ(g->get_int("qwen2.block_count"), 2);
  fs::remove(out);
}

TEST(Quantize, ByteLevelVocabularyTravelsIntoGguf) {
  // A tiny byte-level BPE tokenizer.json beside the model: the GGUF's gpt2 vocabulary must
  // tokenize text exactly as the tokenizer.json does.
  const std::string dir = tmp_file("vocabdir");
  fs::create_directories(dir);
  const std::string hf = test::repo_path("tests/data/llama/qwen2_gqa_untied_f32");
  fs::copy_file(hf + "/config.json", dir + "/config.json");
  fs::copy_file(hf + "/model.safetensors", dir + "/model.safetensors");
  // Byte-level alphabet for printable ASCII is the character itself; space is "Ġ".
  std::string vocab = "{";
  int id = 0;
  for (int c = 33; c < 127; ++c) {
    if (c == '"' || c == '\\') continue;
    vocab += "\"" + std::string(1, char(c)) + "\": " + std::to_string(id++) + ", ";
  }
  // One token per statement: the operands of one + chain are evaluated in no fixed order.
  for (const char* tok : {"\\u0120", "he", "ll", "hell", "\\u0120w"})
    vocab += "\"" + std::string(tok) + "\": " + std::to_string(id++) + (std::string(tok) == "\\u0120w" ? "}" : ", ");
  const int next = id;
  std::ofstream(dir + "/tokenizer.json")
      << R"({"normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},)"
      << R"("decoder": {"type": "ByteLevel"}, "post_processor": null,)"
      << R"("added_tokens": [{"id": )" << next << R"(, "content": "<|end|>", "special": true}],)"
      << R"("model": {"type": "BPE", "vocab": )" << vocab << R"(, "merges": ["h e", "l l", "he ll", "\u0120 w"]}})";
  const std::string out = tmp_file("vocab.gguf");
  app::quantize_to_gguf(dir, out, "q8_0", nullptr);
  auto g = GgufFile::open(out);
  EXPECT_EQ(g->get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(g->find("tokenizer.ggml.tokens")->count, 192u);
  auto from_json = Tokenizer::load(dir);
  auto from_gguf = Tokenizer::load(out);
  for (const char* text : {"hello world", "hell", "well<|end|>ll", "a b  c"})
    EXPECT_EQ(from_gguf->encode(text, false), from_json->encode(text, false)) << text;
  fs::remove_all(dir);
  fs::remove(out);
}

TEST(QuantizeCli, ErrorsLeaveNoOutput) {
  const std::string out = tmp_file("never.gguf");
  auto r = test::run_sprout("quantize /nonexistent/model " + out + " --type q8_0");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("sprout: error: /nonexistent/model: ", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".tmp"));

  r = test::run_sprout("quantize " + test::repo_path("tests/data/llama/qwen2_gqa_untied_f32") + " " + out + " --type q9_9");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--type"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));

  r = test::run_sprout("quantize " + test::repo_path("tests/data/llama/qwen2_gqa_untied_f32") + " /nonexistent/dir/x.gguf --type q8_0");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  r = test::run_sprout("quantize " + test::repo_path("tests/data/llama/qwen2_gqa_untied_f32") + " " + out);
  EXPECT_EQ(r.code, 2);  // --type is required
}

TEST(QuantizeCli, WritesAGgufTheModelRuns) {
  const std::string out = tmp_file("cli-f16.gguf");
  const std::string hf = test::repo_path("tests/data/llama/qwen2_gqa_untied_f32");
  auto r = test::run_sprout("quantize " + hf + " " + out + " --type f16");
  ASSERT_EQ(r.code, 0) << r.err;
  // f16 weights keep the tiny model's greedy continuation.
  auto a = test::run_sprout("generate --model " + hf + " --ids \"1 143 60 28\" -n 8 --temp 0 --print-ids");
  auto b = test::run_sprout("generate --model " + out + " --ids \"1 143 60 28\" -n 8 --temp 0 --print-ids");
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  fs::remove(out);
}
