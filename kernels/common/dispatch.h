// Run-time choice of the instruction-set family a kernel uses.
//
// Every kernel exists as a scalar reference (the oracle, portable C++), and
// where it pays, as AVX2+FMA+F16C (x86-64) and NEON (aarch64) variants compiled
// in their own translation units (*_avx2.cpp, *_neon.cpp). One table of
// function pointers per kernel family is filled at start-up for the active ISA.
//
// The active ISA is the best the CPU supports, unless SPROUT_ISA=scalar|avx2|neon
// (or neon_dot) forces one; forcing an ISA the CPU lacks falls back to scalar.
#pragma once

namespace sprout::kern {

enum class Isa { scalar = 0, avx2 = 1, neon = 2, neon_dot = 3 };

// What the CPU can run (cpuid / hwcaps), ignoring SPROUT_ISA.
Isa detected_isa();
// True when the CPU can execute kernels of `isa`.
bool isa_supported(Isa isa);
// The ISA kernels dispatch to: SPROUT_ISA if set and supported, else detected_isa().
Isa active_isa();
// Override for tests and benchmarks (nullptr-safe name parsing below).
void set_active_isa(Isa isa);
const char* isa_name(Isa isa);
// Parses "scalar", "avx2", "neon", "neon_dot"; returns false on an unknown name.
bool parse_isa(const char* name, Isa* out);

}  // namespace sprout::kern
