// Writes a GGUF with every metadata type and every tensor dtype Sprout writes
// (GgufWriter), then prints it in llamacpp_read's format from Sprout's reader.
//   sprout_write OUT.gguf
#include <cstdio>
#include <vector>

#include "loaders/gguf.h"

using namespace sprout;

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  GgufWriter w(64);
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.block_count", 1);
  w.set_i32("i32", -7);
  w.set_u64("u64", 1ull << 40);
  w.set_f32("f32", 0.5f);
  w.set_bool("bool", true);
  w.set("u8", GgufValue::of_int(GgufType::u8, 3));
  w.set("i8", GgufValue::of_int(GgufType::i8, -3));
  w.set("u16", GgufValue::of_int(GgufType::u16, 300));
  w.set("i16", GgufValue::of_int(GgufType::i16, -300));
  w.set("i64", GgufValue::of_int(GgufType::i64, -(1ll << 40)));
  w.set("f64", GgufValue::of_f64(0.25));
  w.set_strings("tokenizer.ggml.tokens", {"<unk>", "a", "ẹ"});
  const float sc[3] = {0, -1, 1};
  w.set_array("tokenizer.ggml.scores", GgufType::f32, sc, 3);
  const DType types[] = {DType::f32, DType::f16, DType::bf16, DType::q8_0, DType::q4_0, DType::q4_1,
                         DType::q5_0, DType::q5_1, DType::q4_k, DType::q5_k, DType::q6_k};
  std::vector<std::vector<uint8_t>> data;
  int i = 0;
  for (DType t : types) {
    const std::vector<int64_t> shape = {3, 512};
    data.emplace_back(*tensor_bytes(t, shape));
    for (size_t b = 0; b < data.back().size(); ++b) data.back()[b] = uint8_t(b * 7 + i);
    w.add_tensor(std::string("t.") + dtype_name(t), t, shape, data.back().data());
    ++i;
  }
  w.write(argv[1]);

  auto g = GgufFile::open(argv[1]);
  std::printf("version %u alignment %llu\n", g->version(), (unsigned long long)g->alignment());
  for (const auto& [k, v] : g->metadata())
    std::printf("kv %s %s\n", k.c_str(),
                v.type == GgufType::f32 ? "f32" : v.type == GgufType::f64 ? "f64" : v.type == GgufType::bool_ ? "bool"
                : v.type == GgufType::string ? "str" : v.type == GgufType::array ? "arr" : gguf_type_name(v.type));
  for (const TensorInfo& t : g->tensors()) {
    unsigned long long sum = 0;
    const uint8_t* p = static_cast<const uint8_t*>(g->view(t).data);
    for (uint64_t b = 0; b < t.nbytes; ++b) sum += p[b];
    long long ne[4] = {1, 1, 1, 1};
    for (size_t d = 0; d < t.shape.size(); ++d) ne[d] = t.shape[t.shape.size() - 1 - d];
    std::printf("tensor %s %s %lld,%lld,%lld,%lld %llu\n", t.name.c_str(), dtype_name(t.dtype), ne[0], ne[1], ne[2],
                ne[3], sum);
  }
  return 0;
}
