#include "kernels/dot/dot.h"

#include "kernels/common/quant_blocks.h"

namespace sprout::kern {

ActFormat act_format(WeightFormat w) {
  switch (w) {
    case WeightFormat::q8_0: case WeightFormat::q4_0: case WeightFormat::q4_1:
    case WeightFormat::q5_0: case WeightFormat::q5_1: return ActFormat::q8_0;
    case WeightFormat::q4_K: case WeightFormat::q5_K: case WeightFormat::q6_K: return ActFormat::q8_K;
    case WeightFormat::i8: return ActFormat::i8;
    default: return ActFormat::f32;
  }
}

size_t act_row_bytes(ActFormat f, int n) {
  size_t bytes;
  switch (f) {
    case ActFormat::q8_0: bytes = size_t(n / QK8_0) * (sizeof(block_q8_0) + 3 * 4); break;
    case ActFormat::q8_K: bytes = size_t(n / QK_K) * sizeof(block_q8_K); break;
    case ActFormat::i8: bytes = size_t(n); break;
    default: bytes = size_t(n) * sizeof(float); break;
  }
  // Rows are laid back to back: a whole number of cache lines keeps every row's f32
  // scales aligned (a q8_0 row of an odd block count is 46 * nb bytes).
  return (bytes + 63) & ~size_t(63);
}

void q8_0_row_sums(int n, void* a) {
  const int nb = n / QK8_0;
  const Q8Row r = q8_0_row(a, n);
  float* d = const_cast<float*>(r.d);
  float* ds = const_cast<float*>(r.ds);
  int32_t* sum = const_cast<int32_t*>(r.sum);
  for (int i = 0; i < nb; ++i) {
    int32_t s = 0;
    for (int j = 0; j < QK8_0; ++j) s += r.b[i].qs[j];
    d[i] = f16_to_f32(r.b[i].d);
    sum[i] = s;
    ds[i] = d[i] * float(s);
  }
}

namespace {

// A SIMD table with its gaps filled from the scalar one.
DotKernels merged(const DotKernels& simd) {
  DotKernels t = kDotScalar;
  if (simd.quantize_q8_0) t.quantize_q8_0 = simd.quantize_q8_0;
  if (simd.quantize_q8_K) t.quantize_q8_K = simd.quantize_q8_K;
  if (simd.quantize_i8) t.quantize_i8 = simd.quantize_i8;
  for (int i = 0; i < int(WeightFormat::count); ++i)
    if (simd.dot[i]) t.dot[i] = simd.dot[i];
  for (int i = 0; i < int(WeightFormat::count); ++i)
    if (simd.dot2[i]) t.dot2[i] = simd.dot2[i];
  return t;
}

}  // namespace

const DotKernels& dot_kernels(Isa isa) {
  static const DotKernels tables[] = {
      kDotScalar,
#if defined(__x86_64__)
      merged(kDotAvx2),
#else
      kDotScalar,
#endif
#if defined(__aarch64__)
      merged(kDotNeon), merged(kDotNeonDot),
#else
      kDotScalar, kDotScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
