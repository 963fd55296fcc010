#include "kernels/common/dispatch.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace sprout::kern {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
bool cpu_has_avx2_fma_f16c() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28),
             f16c = c & (1u << 29);
  if (!(fma && osxsave && avx && f16c)) return false;
  // The OS must save YMM state (XCR0 bits 1 and 2).
  unsigned xlo, xhi;
  __asm__("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  if ((xlo & 6u) != 6u) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return b & (1u << 5);  // AVX2
}
#endif

Isa detect() {
#if defined(__x86_64__) || defined(_M_X64)
  return cpu_has_avx2_fma_f16c() ? Isa::avx2 : Isa::scalar;
#elif defined(__aarch64__)
#if defined(__linux__) && defined(HWCAP_ASIMDDP)
  if (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) return Isa::neon_dot;
#endif
  return Isa::neon;  // Advanced SIMD is mandatory on ARMv8-A.
#else
  return Isa::scalar;
#endif
}

Isa initial_active() {
  const Isa best = detect();
  const char* env = std::getenv("SPROUT_ISA");
  Isa want;
  if (env && *env && parse_isa(env, &want)) return isa_supported(want) ? want : Isa::scalar;
  return best;
}

std::atomic<int>& active_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_active())};
  return slot;
}

}  // namespace

Isa detected_isa() {
  static const Isa isa = detect();
  return isa;
}

bool isa_supported(Isa isa) {
  const Isa best = detected_isa();
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2: return best == Isa::avx2;
    case Isa::neon: return best == Isa::neon || best == Isa::neon_dot;
    case Isa::neon_dot: return best == Isa::neon_dot;
  }
  return false;
}

Isa active_isa() { return static_cast<Isa>(active_slot().load(std::memory_order_relaxed)); }

void set_active_isa(Isa isa) {
  active_slot().store(static_cast<int>(isa_supported(isa) ? isa : Isa::scalar),
                      std::memory_order_relaxed);
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::neon: return "neon";
    case Isa::neon_dot: return "neon_dot";
  }
  return "?";
}

bool parse_isa(const char* name, Isa* out) {
  if (!name) return false;
  static const Isa all[] = {Isa::scalar, Isa::avx2, Isa::neon, Isa::neon_dot};
  for (Isa i : all)
    if (std::strcmp(name, isa_name(i)) == 0) {
      *out = i;
      return true;
    }
  return false;
}

}  // namespace sprout::kern
