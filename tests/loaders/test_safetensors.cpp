#include <gtest/gtest.h>

#include "loaders/safetensors.h"
#include "loaders/weights.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {
using test::Bytes;
using test::expect_error;
using test::safetensors_bytes;

std::unique_ptr<SafetensorsFile> parse(const Bytes& b) { return SafetensorsFile::parse(MappedFile::from_bytes("m.safetensors", b.data(), b.size())); }
void expect_st_error(const std::string& header, size_t data_bytes, const std::string& cause) {
  const Bytes b = safetensors_bytes(header, Bytes(data_bytes, 0));
  expect_error([&] { parse(b); }, "m.safetensors: " + cause);
}

TEST(Safetensors, ReadsTensorsDtypesAndMetadata) {
  // Two tensors written back to back after a header padded with spaces (as the
  // reference writer pads to 8 bytes).
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},)"
      R"("a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"s":{"dtype":"I64","shape":[],"data_offsets":[24,32]}})";
  std::string h = header;
  while ((8 + h.size()) % 8) h += ' ';  // data aligned to 8, as the reference writer pads
  Bytes data(32, 0);
  const float a[4] = {1.f, -2.f, 3.5f, 0.25f};
  std::memcpy(data.data(), a, 16);
  data[24] = 42;
  auto st = parse(safetensors_bytes(h, data));
  ASSERT_EQ(st->tensors().size(), 3u);
  EXPECT_EQ(st->metadata().at("format"), "pt");
  const TensorInfo& ta = st->tensors()[0];  // sorted by offset
  EXPECT_EQ(ta.name, "a");
  EXPECT_EQ(ta.dtype, DType::f32);
  EXPECT_EQ(ta.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ta.offset, 8 + h.size());
  const Tensor t = st->view(ta);
  EXPECT_EQ(t.ndim, 2);
  EXPECT_EQ(t.as<float>()[1], -2.f);
  EXPECT_EQ(t.as<float>()[3], 0.25f);
  EXPECT_EQ(st->tensors()[1].dtype, DType::bf16);
  EXPECT_EQ(st->tensors()[2].dtype, DType::i64);
  EXPECT_EQ(st->view(st->tensors()[2]).as<int64_t>()[0], 42);
  for (const char* d : {"F16", "I8", "U8", "I32"}) {
    const std::string hh = std::string(R"({"x":{"dtype":")") + d + R"(","shape":[0],"data_offsets":[0,0]}})";
    EXPECT_EQ(parse(safetensors_bytes(hh, {}))->tensors()[0].dtype, *safetensors_dtype(d)) << d;
  }
}

TEST(Safetensors, HeaderErrors) {
  expect_error([] { parse(Bytes{1, 2, 3}); }, "m.safetensors: file too small for a safetensors header (3 bytes)");
  Bytes b = safetensors_bytes("{}", {});
  b[0] = 200;  // header length 200 > file
  expect_error([&] { parse(b); }, "m.safetensors: header length 200 exceeds the file size (10 bytes)");
  b = safetensors_bytes("{}", {});
  b[7] = 0x80;  // 2^63 + 2
  expect_error([&] { parse(b); }, "m.safetensors: header length 9223372036854775810 exceeds the file size (10 bytes)");
  expect_st_error("[1, 2]", 0, "header is not a JSON object (not a safetensors file?)");
  expect_st_error("{\"a\": ", 0,
                  "invalid JSON: parse error at line 1, column 7: syntax error while parsing value - unexpected end "
                  "of input; expected '[', '{', or a literal");
  expect_st_error("{" + std::string(10000, '[') + std::string(10000, ']') + "}", 0,
                  "JSON nested deeper than 512 levels");
  expect_st_error(R"({"__metadata__": {"n": 1}})", 0, "__metadata__ key 'n': expected string, got integer");
}

TEST(Safetensors, TensorEntryErrors) {
  expect_st_error(R"({"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", 8, "tensor 'w': unsupported dtype 'F64'");
  expect_st_error(R"({"w":{"dtype":"Q9","shape":[1],"data_offsets":[0,8]}})", 8, "tensor 'w': unsupported dtype 'Q9'");
  expect_st_error(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", 4, "tensor 'w': missing or non-string 'dtype'");
  expect_st_error(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", 4, "tensor 'w': missing or non-array 'shape'");
  expect_st_error(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4,
                  "tensor 'w' shape: expected a non-negative integer, got integer -1");
  expect_st_error(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4,
                  "tensor 'w' shape: expected a non-negative integer, got number 1.5");
  expect_st_error(R"({"w":{"dtype":"F32","shape":[1]}})", 4, "tensor 'w': 'data_offsets' must be an array of two integers");
  expect_st_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4, "tensor 'w': data_offsets [4, 0] end before begin");
  expect_st_error(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4,
                  "tensor 'w': data_offsets [0, 8] beyond the end of the data (4 bytes)");
  expect_st_error(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4,
                  "tensor 'w': data_offsets span 4 bytes but F32 [2] needs 8");
  // 2^32 x 2^32 elements: the product overflows 64 bits.
  expect_st_error(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4,
                  "tensor 'w': shape [4294967296, 4294967296] byte size overflows 64 bits");
  expect_st_error(R"({"w":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}})", 4,
                  "tensor 'w': dimension 9223372036854775808 too large");
  expect_st_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                  12, "tensors 'a' and 'b' overlap");
  expect_st_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                  8, "duplicate key 'a'");
  expect_st_error(R"({"a":[1]})", 0, "tensor 'a': expected an object, got array");
  expect_st_error("{\"\xc3\x28\":{}}", 0,
                  "invalid JSON: parse error at line 1, column 4: syntax error while parsing object key - invalid "
                  "string: ill-formed UTF-8 byte; expected string literal");
}

TEST(Safetensors, TooManyDimsForATensorView) {
  auto st = parse(safetensors_bytes(R"({"w":{"dtype":"U8","shape":[1,1,1,1,2],"data_offsets":[0,2]}})", Bytes(2)));
  expect_error([&] { st->view(st->tensors()[0]); }, "m.safetensors: tensor 'w' has 5 dimensions, at most 4 are supported");
}

}  // namespace
}  // namespace sprout
