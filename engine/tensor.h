// A tensor is a view: dtype + shape + byte strides + a pointer into memory it
// does not own (a mapped model file or an Arena). Copying a Tensor copies the
// view, never the data.
//
// Shapes are outermost-first, as in PyTorch and safetensors: a linear layer's
// weight is {out_features, in_features}; a row is the innermost dimension.
// For block-quantized dtypes the innermost dimension counts values, and a row
// is row_bytes(dtype, shape.back()) bytes.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "engine/dtype.h"

namespace sprout {

constexpr int kMaxDims = 4;

struct Tensor {
  DType dtype = DType::f32;
  int ndim = 0;
  std::array<int64_t, kMaxDims> shape{};   // outermost first
  std::array<int64_t, kMaxDims> stride{};  // bytes between consecutive indices of each dim
  const void* data = nullptr;              // not owned
  const float* row_scale = nullptr;        // i8_row only: one scale per row (outer rows flattened)

  int64_t dim(int i) const { return shape[size_t(i < 0 ? ndim + i : i)]; }
  int64_t numel() const;
  int64_t rows() const { return ndim == 0 ? 1 : numel() / shape[size_t(ndim - 1)]; }
  // True when rows are packed back to back (stride of each dim = size of the next).
  bool contiguous() const;
  uint64_t nbytes() const;  // bytes spanned when contiguous
  const uint8_t* row_ptr(int64_t r) const;  // r-th row of the flattened outer dims (contiguous only)
  template <class T> const T* as() const { return static_cast<const T*>(data); }
  template <class T> T* mut() const { return static_cast<T*>(const_cast<void*>(data)); }
  std::string shape_str() const;  // "[2048, 5504]"
};

// A contiguous view of `data` with the given shape (outermost first).
Tensor make_tensor(DType dtype, std::initializer_list<int64_t> shape, const void* data);
Tensor make_tensor(DType dtype, const int64_t* shape, int ndim, const void* data);

}  // namespace sprout
