// VPDPBUSD int8 GEMM tiles, VEX encoding (compiled with -mavxvnni; run only when
// cpuid reports AVX-VNNI): Alder Lake and its Gracemont cores (N100 class),
// Sapphire Rapids, Zen 5. See gemm_vnni_impl.h.
#include "kernels/gemm/gemm_vnni_impl.h"

namespace sprout::kern {
namespace {
struct VexDp {
  static __m256i dot(__m256i acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_avx_epi32(acc, u8, s8); }
};
}  // namespace

const GemmTileSet kGemmVnniVexTiles = vnni_tiles<VexDp>();

}  // namespace sprout::kern
