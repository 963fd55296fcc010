// VPDPBUSD int8 GEMM tiles, EVEX encoding on 256-bit registers (compiled with
// -mavx512vnni -mavx512vl; run only when cpuid reports both and the OS saves
// AVX-512 state): Cascade Lake, Ice Lake, Zen 4 — CPUs without AVX-VNNI. See
// gemm_vnni_impl.h.
#include "kernels/gemm/gemm_vnni_impl.h"

namespace sprout::kern {
namespace {
struct EvexDp {
  static __m256i dot(__m256i acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_epi32(acc, u8, s8); }
};
}  // namespace

const GemmTileSet kGemmVnniEvexTiles = vnni_tiles<EvexDp>();

}  // namespace sprout::kern
