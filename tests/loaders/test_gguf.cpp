#include <gtest/gtest.h>
#include <sys/stat.h>

#include "loaders/gguf.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {
using test::Bytes;
using test::expect_error;

TEST(Gguf, ReadsARealLlamaCppFile) {
  // Written by llama.cpp's converter (GGUF v3, vocab only, no tensors).
  auto g = GgufFile::open(test::repo_path("tests/data/loaders/ggml-vocab-bert-bge.gguf"));
  EXPECT_EQ(g->version(), 3u);
  EXPECT_EQ(g->metadata().size(), 20u);
  EXPECT_EQ(g->tensors().size(), 0u);
  EXPECT_EQ(g->get_string("general.architecture"), "bert");
  EXPECT_EQ(g->get_int("bert.block_count"), 12);
  EXPECT_EQ(g->get_int("bert.embedding_length"), 384);
  EXPECT_FLOAT_EQ(float(g->get_float("bert.attention.layer_norm_epsilon")), 1e-12f);
  EXPECT_EQ(g->find("bert.attention.causal")->type, GgufType::bool_);
  EXPECT_EQ(g->get_int("bert.attention.causal"), 0);
  const GgufValue* toks = g->find("tokenizer.ggml.tokens");
  ASSERT_NE(toks, nullptr);
  ASSERT_EQ(toks->elem, GgufType::string);
  ASSERT_EQ(toks->strs.size(), 30522u);
  EXPECT_EQ(toks->strs[0], "[PAD]");
  EXPECT_EQ(toks->strs[101], "[CLS]");
  const GgufValue* types = g->find("tokenizer.ggml.token_type");
  EXPECT_EQ(types->elem, GgufType::i32);
  EXPECT_EQ(types->int_at(0), 3);
  EXPECT_EQ(types->int_at(1), 1);
  EXPECT_EQ(types->int_at(30522), std::nullopt);
  EXPECT_EQ(g->get_int("tokenizer.ggml.cls_token_id"), 101);
  expect_error([&] { g->get_int("general.name"); },
               g->file().path() + ": key 'general.name': expected integer, got string");
  expect_error([&] { g->get_string("qwen2.block_count"); }, g->file().path() + ": missing key 'qwen2.block_count'");
  EXPECT_EQ(g->get_int("qwen2.block_count", -1), -1);
}

// Bytes of `n` values of a block dtype, filled with a pattern.
Bytes pattern(uint64_t n, uint8_t seed) {
  Bytes b(n);
  for (uint64_t i = 0; i < n; ++i) b[i] = uint8_t(seed + i * 31);
  return b;
}

void round_trip(uint32_t alignment) {
  test::TempDir dir;
  const std::string out = dir.file("m.gguf");
  GgufWriter w(alignment);
  w.set_string("general.architecture", "qwen2");
  w.set_u32("qwen2.block_count", 24);
  w.set_i32("i32", -5);
  w.set_u64("u64", 1ull << 40);
  w.set_f32("qwen2.rope.freq_base", 1e6f);
  w.set_bool("flag", true);
  w.set("u8", GgufValue::of_int(GgufType::u8, 200));
  w.set("i8", GgufValue::of_int(GgufType::i8, -100));
  w.set("u16", GgufValue::of_int(GgufType::u16, 60000));
  w.set("i16", GgufValue::of_int(GgufType::i16, -30000));
  w.set("i64", GgufValue::of_int(GgufType::i64, -(1ll << 50)));
  w.set("f64", GgufValue::of_f64(0.1));
  w.set_string("utf8", "Yorùbá 中文 🙂");
  w.set_strings("tokenizer.ggml.tokens", {"<unk>", "a", "", "ẹ"});
  const float scores[3] = {0.5f, -1.f, 2.f};
  w.set_array("tokenizer.ggml.scores", GgufType::f32, scores, 3);
  const int32_t types[2] = {1, -3};
  w.set_array("types", GgufType::i32, types, 2);
  // An array of arrays of u16, the only nesting the spec allows to be arbitrary.
  GgufValue inner1, inner2, outer;
  const uint16_t a1[2] = {1, 2}, a2[1] = {3};
  inner1.type = inner2.type = outer.type = GgufType::array;
  inner1.elem = inner2.elem = GgufType::u16;
  inner1.count = 2, inner1.raw = reinterpret_cast<const uint8_t*>(a1);
  inner2.count = 1, inner2.raw = reinterpret_cast<const uint8_t*>(a2);
  outer.elem = GgufType::array;
  outer.count = 2;
  outer.items = {inner1, inner2};
  w.set("nested", outer);
  w.set_u32("qwen2.block_count", 28);  // replaces, keeps position

  struct T { const char* name; DType dt; std::vector<int64_t> shape; };
  const std::vector<T> ts = {
      {"f32", DType::f32, {3, 5}},       {"f16", DType::f16, {7}},          {"bf16", DType::bf16, {2, 3, 4}},
      {"q8_0", DType::q8_0, {2, 64}},    {"q4_0", DType::q4_0, {3, 32}},    {"q4_1", DType::q4_1, {1, 32}},
      {"q5_0", DType::q5_0, {2, 1, 32}}, {"q5_1", DType::q5_1, {32}},       {"q4_k", DType::q4_k, {2, 256}},
      {"q5_k", DType::q5_k, {1, 512}},   {"q6_k", DType::q6_k, {3, 256}},   {"blk.0.attn_q.weight", DType::f32, {1, 1, 1, 1}},
  };
  std::vector<Bytes> datas;
  for (size_t i = 0; i < ts.size(); ++i) {
    datas.push_back(pattern(*tensor_bytes(ts[i].dt, ts[i].shape), uint8_t(i)));
    w.add_tensor(ts[i].name, ts[i].dt, ts[i].shape, datas.back().data());
  }
  w.write(out);
  struct stat st{};
  EXPECT_NE(::stat((out + ".tmp").c_str(), &st), 0) << "temporary file left behind";

  auto g = GgufFile::open(out);
  EXPECT_EQ(g->version(), 3u);
  EXPECT_EQ(g->alignment(), alignment);
  EXPECT_EQ(g->data_offset() % alignment, 0u);
  const size_t extra = alignment != 32 ? 1 : 0;  // general.alignment comes first
  ASSERT_EQ(g->metadata().size(), 17 + extra);
  EXPECT_EQ(g->metadata()[extra + 1].first, "qwen2.block_count");
  EXPECT_EQ(g->get_int("qwen2.block_count"), 28);
  EXPECT_EQ(g->get_string("general.architecture"), "qwen2");
  EXPECT_EQ(g->get_int("i32"), -5);
  EXPECT_EQ(g->get_int("u64"), 1ll << 40);
  EXPECT_EQ(g->get_float("qwen2.rope.freq_base"), 1e6);
  EXPECT_EQ(g->get_int("flag"), 1);
  EXPECT_EQ(g->get_int("u8"), 200);
  EXPECT_EQ(g->get_int("i8"), -100);
  EXPECT_EQ(g->get_int("u16"), 60000);
  EXPECT_EQ(g->get_int("i16"), -30000);
  EXPECT_EQ(g->get_int("i64"), -(1ll << 50));
  EXPECT_EQ(g->get_float("f64"), 0.1);
  EXPECT_EQ(g->get_string("utf8"), "Yorùbá 中文 🙂");
  const GgufValue* toks = g->find("tokenizer.ggml.tokens");
  EXPECT_EQ(std::vector<std::string_view>(toks->strs), (std::vector<std::string_view>{"<unk>", "a", "", "ẹ"}));
  EXPECT_EQ(g->find("tokenizer.ggml.scores")->float_at(2), 2.0);
  EXPECT_EQ(g->find("types")->int_at(1), -3);
  const GgufValue* nested = g->find("nested");
  ASSERT_EQ(nested->items.size(), 2u);
  EXPECT_EQ(nested->items[0].int_at(1), 2);
  EXPECT_EQ(nested->items[1].int_at(0), 3);
  EXPECT_EQ(nested->to_string(), "[[1, 2], [3]]");
  EXPECT_EQ(toks->to_string(2), "[\"<unk>\", \"a\", ... (4 items)]");

  ASSERT_EQ(g->tensors().size(), ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    const TensorInfo& t = g->tensors()[i];
    EXPECT_EQ(t.name, ts[i].name);
    EXPECT_EQ(t.dtype, ts[i].dt);
    EXPECT_EQ(t.shape, ts[i].shape);
    EXPECT_EQ(t.offset % alignment, 0u);
    ASSERT_EQ(t.nbytes, datas[i].size());
    EXPECT_EQ(0, std::memcmp(g->view(t).data, datas[i].data(), datas[i].size())) << t.name;
  }
  // The file ends right after the last tensor's padding.
  const TensorInfo& last = g->tensors().back();
  EXPECT_EQ(g->file().size(), (last.offset + last.nbytes + alignment - 1) / alignment * alignment);
}

TEST(Gguf, WriterReaderRoundTripEveryTypeAndDtype) { round_trip(32); }
TEST(Gguf, WriterReaderRoundTripOtherAlignment) { round_trip(64); }

TEST(Gguf, ShapesAreOutermostFirst) {
  // A linear weight {out=3, in=32}: GGUF stores ne = [32, 3].
  test::TempDir dir;
  GgufWriter w;
  const Bytes data(*tensor_bytes(DType::q8_0, {3, 32}));
  w.add_tensor("w", DType::q8_0, {3, 32}, data.data());
  w.write(dir.file("w.gguf"));
  const Bytes b = test::read_bytes(dir.file("w.gguf"));
  // header 24 + "w" string 9 + n_dims 4 -> ne[0] at 37
  uint64_t ne0 = 0, ne1 = 0;
  std::memcpy(&ne0, b.data() + 37, 8);
  std::memcpy(&ne1, b.data() + 45, 8);
  EXPECT_EQ(ne0, 32u);
  EXPECT_EQ(ne1, 3u);
  auto g = GgufFile::open(dir.file("w.gguf"));
  const Tensor t = g->view(g->tensors()[0]);
  EXPECT_EQ(t.dim(0), 3);
  EXPECT_EQ(t.dim(1), 32);
  EXPECT_EQ(t.stride[0], 34);
}

TEST(Gguf, WriterLeavesNoPartialFile) {
  test::TempDir dir;
  const std::string out = dir.file("q.gguf");
  test::write_text(out, "old contents");
  GgufWriter w;
  w.set_u32("k", 1);
  w.add_tensor("a", DType::f32, {4}, [](uint8_t* p, uint64_t n) { std::memset(p, 0, size_t(n)); });
  w.add_tensor("b", DType::f32, {4}, [](uint8_t*, uint64_t) { throw Error("b", "quantization failed"); });
  expect_error([&] { w.write(out); }, "b: quantization failed");
  struct stat st{};
  EXPECT_NE(::stat((out + ".tmp").c_str(), &st), 0);
  EXPECT_EQ(test::read_bytes(out).size(), 12u);  // untouched
  expect_error([&] { w.write(dir.file("no/such/dir.gguf")); },
               dir.file("no/such/dir.gguf") + ": cannot create " + dir.file("no/such/dir.gguf") +
                   ".tmp: No such file or directory");
}

TEST(Gguf, WriterRejectsWhatLlamaCppWouldReject) {
  GgufWriter w;
  const std::string long_name(64, 'x');
  expect_error([&] { w.add_tensor(long_name, DType::f32, {1}, nullptr); },
               long_name + ": tensor name longer than 63 bytes (llama.cpp limit)");
  expect_error([&] { w.add_tensor("t", DType::q4_0, {2, 16}, nullptr); }, "t: shape [2, 16] is not valid for q4_0");
  expect_error([&] { w.add_tensor("t", DType::i8_row, {2}, nullptr); }, "t: dtype i8_row has no GGUF type");
  expect_error([&] { w.add_tensor("t", DType::f32, {1, 1, 1, 1, 1}, nullptr); }, "t: GGUF tensors have 1 to 4 dimensions");
  w.add_tensor("t", DType::f32, {1}, nullptr);
  expect_error([&] { w.add_tensor("t", DType::f32, {1}, nullptr); }, "t: duplicate tensor name");
  expect_error([] { GgufWriter bad(24); }, "gguf: alignment 24 is not a power of two");
}

}  // namespace
}  // namespace sprout
