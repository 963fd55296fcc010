#include "engine/quantize.h"

#include <cmath>
#include <cstring>
#include <string>

#include "engine/error.h"
#include "kernels/quant/quant.h"

namespace sprout {
namespace {

void check_blocks(DType t, int64_t n, const char* what) {
  if (n < 0 || !row_bytes(t, uint64_t(n)))
    fail(what, std::string("row of ") + std::to_string(n) + " values is not a whole number of " + dtype_name(t) +
                   " blocks");
}

template <class T>
void ints_to_f32(const void* x, int64_t n, float* out) {
  const T* p = static_cast<const T*>(x);
  for (int64_t i = 0; i < n; ++i) out[i] = float(p[i]);
}

}  // namespace

void quantize_row(DType t, const float* x, int64_t n, void* out) {
  check_blocks(t, n, "quantize_row");
  using namespace kern;
  switch (t) {
    case DType::f32: std::memcpy(out, x, size_t(n) * 4); return;
    case DType::f16: quantize_f16(x, n, out); return;
    case DType::bf16: quantize_bf16(x, n, out); return;
    case DType::q8_0: quantize_q8_0(x, n, out); return;
    case DType::q4_0: quantize_q4_0(x, n, out); return;
    case DType::q4_1: quantize_q4_1(x, n, out); return;
    case DType::q5_0: quantize_q5_0(x, n, out); return;
    case DType::q5_1: quantize_q5_1(x, n, out); return;
    case DType::q4_k: quantize_q4_K(x, n, out); return;
    case DType::q5_k: quantize_q5_K(x, n, out); return;
    case DType::q6_k: quantize_q6_K(x, n, out); return;
    case DType::q8_k: quantize_q8_K(x, n, out); return;
    default: fail("quantize_row", std::string("cannot quantize to ") + dtype_name(t));
  }
}

void dequantize_row(DType t, const void* x, int64_t n, float* out) {
  check_blocks(t, n, "dequantize_row");
  using namespace kern;
  switch (t) {
    case DType::f32: std::memcpy(out, x, size_t(n) * 4); return;
    case DType::f16: dequantize_f16(x, n, out); return;
    case DType::bf16: dequantize_bf16(x, n, out); return;
    case DType::q8_0: dequantize_q8_0(x, n, out); return;
    case DType::q4_0: dequantize_q4_0(x, n, out); return;
    case DType::q4_1: dequantize_q4_1(x, n, out); return;
    case DType::q5_0: dequantize_q5_0(x, n, out); return;
    case DType::q5_1: dequantize_q5_1(x, n, out); return;
    case DType::q4_k: dequantize_q4_K(x, n, out); return;
    case DType::q5_k: dequantize_q5_K(x, n, out); return;
    case DType::q6_k: dequantize_q6_K(x, n, out); return;
    case DType::q8_k: dequantize_q8_K(x, n, out); return;
    case DType::i8: ints_to_f32<int8_t>(x, n, out); return;
    case DType::u8: ints_to_f32<uint8_t>(x, n, out); return;
    case DType::i16: ints_to_f32<int16_t>(x, n, out); return;
    case DType::i32: ints_to_f32<int32_t>(x, n, out); return;
    case DType::i64: ints_to_f32<int64_t>(x, n, out); return;
    case DType::f64: ints_to_f32<double>(x, n, out); return;
    case DType::i8_row: fail("dequantize_row", "i8_row needs its row scale (dequantize_row_i8)");
  }
  fail("dequantize_row", "unknown dtype");
}

float quantize_row_i8(const float* x, int64_t n, int8_t* out) {
  float amax = 0.f;
  for (int64_t i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  const float scale = amax / 127.f;
  const float inv = scale != 0.f ? 1.f / scale : 0.f;
  for (int64_t i = 0; i < n; ++i) out[i] = int8_t(std::roundf(x[i] * inv));
  return scale;
}

void dequantize_row_i8(const int8_t* x, float scale, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = float(x[i]) * scale;
}

void to_f32(const Tensor& t, float* out) {
  if (!t.contiguous()) fail("to_f32", "tensor " + t.shape_str() + " is not contiguous");
  if (t.ndim == 0) {
    dequantize_row(t.dtype, t.data, 1, out);
    return;
  }
  const int64_t n = t.dim(-1), rows = t.rows();
  if (t.dtype == DType::i8_row) {
    if (!t.row_scale) fail("to_f32", "i8_row tensor " + t.shape_str() + " has no row scales");
    for (int64_t r = 0; r < rows; ++r)
      dequantize_row_i8(reinterpret_cast<const int8_t*>(t.row_ptr(r)), t.row_scale[r], n, out + r * n);
    return;
  }
  for (int64_t r = 0; r < rows; ++r) dequantize_row(t.dtype, t.row_ptr(r), n, out + r * n);
}

std::vector<float> to_f32(const Tensor& t) {
  std::vector<float> v(size_t(t.numel()));
  to_f32(t, v.data());
  return v;
}

}  // namespace sprout
