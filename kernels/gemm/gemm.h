// Register-blocked GEMM micro-kernels for prefill: C = A · B^T with B the weight
// matrix stored row-major as [N][K] (one row per output feature).
//
// f32 (weights f32, f16 or bf16), BLIS-style: both operands are packed.
// gemm_pack_a copies `rows` (<= mr) rows of A, k in [k0, k0+kc), into a sliver
// [kc][mr] (rows beyond `rows` are 0); gemm_pack_b copies `cols` (<= nr) rows of
// B ([N][K]) into a panel [kc][nr] in f32 (f16/bf16 converted while packing,
// missing columns 0). f32_tile computes an mr x nr block of C from one sliver
// and one panel: C (+)= A[0:mr, 0:kc] · B[0:nr, 0:kc]^T, storing only the
// valid rows x cols. Accumulation per output runs over k in order in f32 (FMA
// in the SIMD variants, separate multiply/add in the scalar oracle); with
// `accumulate` the block sum is added to C afterwards, so a K-blocked product
// agrees with the scalar one to ~1e-6 of sum |a*b| (tested at 1e-5).
//
// int8: quantized weights (kernels/common/quant_blocks.h) x q8_0 activation rows
// (kernels/dot/dot.h layout). gemm_pack_q copies up to 8 weight rows into a
// panel (a few tens of KiB, reused by every activation row; the weight tensor
// itself is read in place, nothing is kept between calls). Every type is cut into
// 32-value blocks (a q4_K / q6_K super-block is 8 of them), so one q8_0
// activation block meets one panel block. Per block b the panel holds
//   float d[8]                       the 8 rows' block scales (0 for missing rows)
//   float m[8]                       q4_1, q5_1, q4_K, q5_K: the rows' additive min term
//   int16 sc[2][8 rows][2]           q6_K: the int8 scales of values 0..15 and
//                                    16..31, each twice (one per int16 lane of a row)
//   uint8 plane[P][8 chunks][8 rows][4]  chunk c holds values 4c..4c+3 of each row
// with the stored value of row j, value k:
//   q8_0 (P = 2): u = w + 128 = 16 * hi + lo, planes hi then lo, w = u - 128
//   q8_0_bytes (P = 1): the same q8_0 rows, u = w + 128 as one byte plane, for
//                 ISAs with an 8-bit x 8-bit dot instruction (GemmKernels::q8_0_panel)
//   q4_0 (P = 1): the nibble u, w = u - 8          value = d * w
//   q5_0 (P = 1): the 5-bit u, w = u - 16          value = d * w
//   q4_1, q5_1:   the 4- / 5-bit u                 value = d * u + m
//   q4_K:         the nibble u of sub-block b % 8  value = (d*sc_b) * u - (dmin*m_b):
//                 d[] holds d*sc_b, m[] holds -(dmin*m_b)
//   q5_K:         as q4_K with the 5-bit u
//   q6_K:         w = u - 32 as int8 (-32..31)     value = d * sc * w, sc per 16 values
// so a 32-byte chunk times 4 activation bytes broadcast gives 8 rows at once
// (x86 maddubs or VNNI's vpdpbusd: unsigned x signed; q6_K's signed w through
// sign/abs). maddubs int16 sums
// cannot saturate: 4-bit planes over a whole block (8 * 2 * 15 * 127 < 2^15),
// 5-bit values and |w| <= 32 over 4 chunks (4 * 2 * 32 * 127 < 2^15). Missing
// rows are all zero bytes. vpdpbusd sums 4 products straight into int32: exact
// for every type, q8_0_bytes included (32 * 255 * 128 per block).
//
// q_tile[t] computes an up-to-4 x 8 block of C from 4 activation rows (a, stride
// as bytes) and one panel: C[i][j] = dot(W row j, A row i) for i < rows, j < cols.
// Per block the int32 sum of w * q_a is exact (offsets enter as offset * sum(q_a)
// from the activation row; q6_K's two scales multiply its two 16-value sums in
// int32); the block's term float(sum) * (d_w * d_a) (+ m_w * ds_a for the min
// types, ds_a = d_a * sum(q_a)) is summed over blocks in block order in f32. For
// q8_0, q4_0 and q5_0 these are the very terms of the scalar dot kernel, so the
// scalar tile equals kernels/dot bit for bit (q8_0_bytes too); q4_1/q5_1 fold the min into m * ds
// (same value, other rounding); q4_K, q5_K and q6_K use q8_0 activations where the dot
// path uses q8_K, so they agree with dequantize-then-dot, not with the dot path,
// to the activation quantization error. SIMD tiles (FMA) agree with the scalar
// tile to ~1e-6 of sum |terms|.
// Reference: the scalar table (gemm_scalar.cpp), itself checked against naive
// loops and the scalar dot kernel in tests/kernels/test_gemm.cpp. Kernels are
// single-threaded.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/common/dispatch.h"

namespace sprout::kern {

enum class GemmB { f32, f16, bf16 };

// C[i*ldc + j] for i < rows, j < cols; sliver [kc][mr], panel [kc][nr].
using GemmF32Tile = void (*)(int kc, const float* sliver, const float* panel, float* C, size_t ldc, int rows, int cols,
                             bool accumulate);
// gemm_pack_b for one ISA (SIMD transposes / conversions); same layout and values.
using GemmPackB = void (*)(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, float* panel);
// int8 tile on a packed panel (gemm_pack_q); n a multiple of the weight's block
// size (32, or 256 for q4_K / q6_K), rows in 1..4, cols in 1..8.
using GemmQ8Tile = void (*)(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc,
                            int cols);
// Two panels at once, the second `pstride` bytes after the first (an up-to-4 x 16
// block, cols in 9..16: the first panel is full); the same values as q_tile on
// each panel. Where the ISA has none, q_tile runs per panel.
using GemmQ8Tile2 = void (*)(int n, const void* panel, size_t pstride, const void* a, size_t as, int rows, float* C,
                             size_t ldc, int cols);

enum class GemmQ { q8_0, q4_0, q4_1, q5_0, q5_1, q4_K, q6_K, q5_K, q8_0_bytes, count };
constexpr int kGemmQCols = 8;  // weight rows per int8 panel
constexpr int kGemmQRows = 4;  // activation rows per int8 tile

// Bytes of one packed panel for n values per row.
size_t gemm_q_panel_bytes(GemmQ t, int n);
// Byte offsets inside one 32-value panel block (layout above).
constexpr bool gemm_q_has_min(GemmQ t) {
  return t == GemmQ::q4_1 || t == GemmQ::q5_1 || t == GemmQ::q4_K || t == GemmQ::q5_K;
}
constexpr size_t gemm_q_plane_offset(GemmQ t) {
  return 32 + (gemm_q_has_min(t) ? 32 : 0) + (t == GemmQ::q6_K ? 64 : 0);
}
constexpr size_t gemm_q_block_bytes(GemmQ t) { return gemm_q_plane_offset(t) + (t == GemmQ::q8_0 ? 512 : 256); }
// Packs weight rows [0, rows) (rows <= 8) of w (stride ws bytes) into panel.
void gemm_pack_q(GemmQ t, const void* w, size_t ws, int rows, int n, void* panel);

using GemmQPack = void (*)(GemmQ t, const void* w, size_t ws, int rows, int n, void* panel);

struct GemmKernels {
  int mr, nr;  // f32 tile shape
  GemmF32Tile f32_tile;
  GemmQ8Tile q_tile[int(GemmQ::count)];  // indexed by GemmQ; null where the ISA has no tile
  GemmQ q8_0_panel;  // the panel a q8_0 weight is packed as: q8_0 (4-bit planes) or q8_0_bytes
  GemmQPack pack_q;  // gemm_pack_q (the reference) or an equal SIMD version
  GemmPackB pack_b;  // gemm_pack_b for this table's nr, or an equal SIMD version
  GemmQ8Tile2 q_tile2[int(GemmQ::count)] = {};  // null: q_tile per panel
};

// Packs columns [n0, n0+cols) (cols <= nr) and k in [k0, k0+kc) of B ([N][K],
// row stride ldb elements, element type t) into panel[kc][nr] as f32.
void gemm_pack_b(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, int nr, float* panel);
// Packs rows [0, rows) (rows <= mr) of A (row stride lda), k in [k0, k0+kc),
// into sliver[kc][mr]; rows beyond `rows` are 0.
void gemm_pack_a(const float* A, size_t lda, int rows, int k0, int kc, int mr, float* sliver);

const GemmKernels& gemm_kernels(Isa isa);
inline const GemmKernels& gemm_kernels() { return gemm_kernels(active_isa()); }

extern const GemmKernels kGemmScalar;
extern const GemmKernels kGemmAvx2;
extern const GemmKernels kGemmNeon;

// avx2_vnni: kGemmAvx2 with the VPDPBUSD tiles of one encoding (gemm_vnni_impl.h)
// and q8_0 weights packed as q8_0_bytes. gemm_kernels(Isa::avx2_vnni) runs VEX
// where the CPU has it, else EVEX; gemm_kernels_vnni gives either (null when the
// CPU lacks it), so tests can check both.
struct GemmTileSet {
  GemmQ8Tile tile[int(GemmQ::count)];    // null: keep the base table's tile
  GemmQ8Tile2 tile2[int(GemmQ::count)];  // null: none
};
extern const GemmTileSet kGemmVnniVexTiles;
extern const GemmTileSet kGemmVnniEvexTiles;
const GemmKernels* gemm_kernels_vnni(bool evex);
// neon_dot: kGemmNeon with the SDOT tiles (gemm_neondot.cpp), q8_0 packed as q8_0_bytes.
extern const GemmTileSet kGemmNeonDotTiles;

}  // namespace sprout::kern
