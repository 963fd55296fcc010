#include "engine/tensor.h"

#include <cassert>

namespace sprout {
namespace {
// Products of dims saturate instead of overflowing: a hostile file can declare a tensor
// with a zero dim (so zero bytes) beside dims whose product exceeds 64 bits.
int64_t mul_sat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}
}  // namespace

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int i = 0; i < ndim; ++i)
    if (shape[size_t(i)] == 0) return 0;
  for (int i = 0; i < ndim; ++i) n = mul_sat(n, shape[size_t(i)]);
  return n;
}

uint64_t Tensor::nbytes() const {
  if (ndim == 0) return uint64_t(dtype_info(dtype).block_bytes);
  const auto rb = row_bytes(dtype, uint64_t(shape[size_t(ndim - 1)]));
  return rb ? *rb * uint64_t(rows()) : 0;
}

bool Tensor::contiguous() const {
  if (ndim == 0) return true;
  const auto rb = row_bytes(dtype, uint64_t(shape[size_t(ndim - 1)]));
  if (!rb) return false;
  int64_t expect = int64_t(*rb);
  if (ndim >= 2 && stride[size_t(ndim - 2)] != expect) return false;
  for (int i = ndim - 3; i >= 0; --i) {
    expect = mul_sat(expect, shape[size_t(i + 1)]);
    if (stride[size_t(i)] != expect) return false;
  }
  return true;
}

const uint8_t* Tensor::row_ptr(int64_t r) const {
  assert(contiguous());
  const auto rb = row_bytes(dtype, uint64_t(shape[size_t(ndim - 1)]));
  return static_cast<const uint8_t*>(data) + uint64_t(r) * (rb ? *rb : 0);
}

std::string Tensor::shape_str() const {
  std::string s = "[";
  for (int i = 0; i < ndim; ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[size_t(i)]);
  }
  return s + "]";
}

Tensor make_tensor(DType dtype, const int64_t* shape, int ndim, const void* data) {
  assert(ndim >= 0 && ndim <= kMaxDims);
  Tensor t;
  t.dtype = dtype;
  t.ndim = ndim;
  t.data = data;
  for (int i = 0; i < ndim; ++i) t.shape[size_t(i)] = shape[i];
  if (ndim > 0) {
    const auto rb = row_bytes(dtype, uint64_t(shape[ndim - 1]));
    int64_t s = rb ? int64_t(*rb) : 0;
    t.stride[size_t(ndim - 1)] = dtype_info(dtype).block_elems == 1 ? dtype_info(dtype).block_bytes : 0;
    for (int i = ndim - 2; i >= 0; --i) {
      t.stride[size_t(i)] = s;
      s = mul_sat(s, shape[i]);
    }
  }
  return t;
}

Tensor make_tensor(DType dtype, std::initializer_list<int64_t> shape, const void* data) {
  return make_tensor(dtype, shape.begin(), int(shape.size()), data);
}

}  // namespace sprout
