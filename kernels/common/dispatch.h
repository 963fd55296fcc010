// Run-time choice of the instruction-set family a kernel uses.
//
// Every kernel exists as a scalar reference (the oracle, portable C++), and
// where it pays, as AVX2+FMA+F16C (x86-64) and NEON (aarch64) variants compiled
// in their own translation units (*_avx2.cpp, *_neon.cpp). One table of
// function pointers per kernel family is filled at start-up for the active ISA.
//
// Two tiers extend a family with one instruction group, for the kernels where it
// pays (every other kernel family runs its base table, simd_family() below):
//   avx2_vnni  AVX2 + 256-bit VPDPBUSD (AVX-VNNI, or AVX512-VNNI with AVX512-VL):
//              the int8 GEMM of prefill (kernels/gemm/gemm_vnni_impl.h)
//   neon_dot   NEON + SDOT (ARMv8.2 dotprod): the quantized dot products and the
//              int8 GEMM (kernels/gemm/gemm_neondot.cpp)
//
// The active ISA is the best the CPU supports, unless SPROUT_ISA=scalar|avx2|
// avx2_vnni|neon|neon_dot forces one; forcing an ISA the CPU lacks falls back to
// scalar.
#pragma once

namespace sprout::kern {

enum class Isa { scalar = 0, avx2 = 1, neon = 2, neon_dot = 3, avx2_vnni = 4 };

// The table a kernel family without its own avx2_vnni variant runs.
constexpr Isa simd_family(Isa isa) { return isa == Isa::avx2_vnni ? Isa::avx2 : isa; }

// x86: which 256-bit VPDPBUSD encoding the CPU has (both may be present).
bool cpu_has_avx_vnni();        // VEX (AVX-VNNI: Alder Lake, Gracemont, Zen 5, Sapphire Rapids)
bool cpu_has_avx512_vnni_vl();  // EVEX (AVX512-VNNI + AVX512-VL: Ice Lake, Cascade Lake, Zen 4)

// What the CPU can run (cpuid / hwcaps), ignoring SPROUT_ISA.
Isa detected_isa();
// True when the CPU can execute kernels of `isa`.
bool isa_supported(Isa isa);
// The ISA kernels dispatch to: SPROUT_ISA if set and supported, else detected_isa().
Isa active_isa();
// Override for tests and benchmarks (nullptr-safe name parsing below).
void set_active_isa(Isa isa);
const char* isa_name(Isa isa);
// Parses "scalar", "avx2", "avx2_vnni", "neon", "neon_dot"; false on an unknown name.
bool parse_isa(const char* name, Isa* out);

}  // namespace sprout::kern
