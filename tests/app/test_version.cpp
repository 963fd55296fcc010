// `sprout --version`: the version and the kernel family this machine runs, as
// the kernels' own dispatch reports it, under each SPROUT_ISA setting.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kernels/common/dispatch.h"
#include "tests/cli_util.h"

using namespace sprout;

namespace {

// Runs `sprout ARGS` with SPROUT_ISA set to `isa` (unset when empty).
test::CliResult run_with_isa(const std::string& args, const char* isa) {
  const char* before = std::getenv("SPROUT_ISA");
  const std::string saved = before ? before : "";
  if (*isa) setenv("SPROUT_ISA", isa, 1);
  else unsetenv("SPROUT_ISA");
  test::CliResult r = test::run_sprout(args);
  if (before) setenv("SPROUT_ISA", saved.c_str(), 1);
  else unsetenv("SPROUT_ISA");
  return r;
}

}  // namespace

TEST(Version, ReportsVersionAndKernelFamily) {
  const auto r = run_with_isa("--version", "");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("sprout 0."), std::string::npos) << r.out;
  const std::string best = kern::isa_name(kern::detected_isa());
  EXPECT_NE(r.out.find("kernels: " + best + " (CPU: " + best), std::string::npos) << r.out;
  EXPECT_EQ(run_with_isa("version", "").out, r.out);
}

TEST(Version, FollowsSproutIsaAndSaysWhenItIsIgnored) {
  const auto scalar = run_with_isa("--version", "scalar");
  EXPECT_NE(scalar.out.find("kernels: scalar (CPU: "), std::string::npos) << scalar.out;
  const auto bogus = run_with_isa("--version", "avx1024");
  EXPECT_NE(bogus.out.find("SPROUT_ISA=avx1024 is not a kernel family"), std::string::npos) << bogus.out;
  EXPECT_NE(bogus.out.find(std::string("kernels: ") + kern::isa_name(kern::detected_isa())), std::string::npos);
#if defined(__x86_64__)
  const auto arm = run_with_isa("--version", "neon");
  EXPECT_NE(arm.out.find("cannot run SPROUT_ISA=neon; scalar kernels run"), std::string::npos) << arm.out;
  EXPECT_NE(arm.out.find("kernels: scalar"), std::string::npos) << arm.out;
#endif
}
