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
unsigned xcr0() {
  unsigned xlo, xhi;
  __asm__("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  return xlo;
}

bool cpu_has_avx2_fma_f16c() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28),
             f16c = c & (1u << 29);
  if (!(fma && osxsave && avx && f16c)) return false;
  // The OS must save YMM state (XCR0 bits 1 and 2).
  if ((xcr0() & 6u) != 6u) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return b & (1u << 5);  // AVX2
}

#endif

Isa detect() {
#if defined(__x86_64__) || defined(_M_X64)
  if (!cpu_has_avx2_fma_f16c()) return Isa::scalar;
  return cpu_has_avx_vnni() || cpu_has_avx512_vnni_vl() ? Isa::avx2_vnni : Isa::avx2;
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

bool cpu_has_avx_vnni() {
#if defined(__x86_64__) || defined(_M_X64)
  unsigned a, b, c, d;
  if (!cpu_has_avx2_fma_f16c() || !__get_cpuid_count(7, 1, &a, &b, &c, &d)) return false;
  return a & (1u << 4);  // CPUID.(7,1):EAX.AVX-VNNI
#else
  return false;
#endif
}

bool cpu_has_avx512_vnni_vl() {
#if defined(__x86_64__) || defined(_M_X64)
  unsigned a, b, c, d;
  if (!cpu_has_avx2_fma_f16c() || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool f = b & (1u << 16), vl = b & (1u << 31), vnni = c & (1u << 11);
  // EVEX instructions, even 256-bit ones, also need the OS to save the opmask
  // and upper ZMM state (XCR0 bits 5, 6 and 7).
  return f && vl && vnni && (xcr0() & 0xE0u) == 0xE0u;
#else
  return false;
#endif
}

Isa detected_isa() {
  static const Isa isa = detect();
  return isa;
}

bool isa_supported(Isa isa) {
  const Isa best = detected_isa();
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2: return best == Isa::avx2 || best == Isa::avx2_vnni;
    case Isa::avx2_vnni: return best == Isa::avx2_vnni;
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
    case Isa::avx2_vnni: return "avx2_vnni";
  }
  return "?";
}

bool parse_isa(const char* name, Isa* out) {
  if (!name) return false;
  static const Isa all[] = {Isa::scalar, Isa::avx2, Isa::avx2_vnni, Isa::neon, Isa::neon_dot};
  for (Isa i : all)
    if (std::strcmp(name, isa_name(i)) == 0) {
      *out = i;
      return true;
    }
  return false;
}

}  // namespace sprout::kern
