// sprout: the command-line entry point. Dispatches to a subcommand and is the
// one place errors are reported: "sprout: error: <subject>: <cause>" on
// stderr, exit 1 for runtime errors, 2 for usage errors.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "app/commands.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "kernels/common/dispatch.h"

namespace {

void print_help() {
  int n = 0;
  const sprout::app::Command* cmds = sprout::app::commands(&n);
  std::printf("usage: sprout COMMAND [options]   (sprout COMMAND --help for its options)\n\ncommands:\n");
  for (int i = 0; i < n; ++i) std::printf("  %-10s %s\n", cmds[i].name, cmds[i].summary);
  std::printf("  %-10s %s\n", "version", "version, kernel family and threads on this machine (also --version)");
}

void report(const std::string& subject, const std::string& cause) {
  std::string line = "sprout: error: " + subject + ": " + cause;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';  // always exactly one line
  std::fprintf(stderr, "%s\n", line.c_str());
}

// The version, and what this machine runs: the kernel family chosen (and the
// best the CPU offers, which SPROUT_ISA may have overridden) and the thread count.
void print_version() {
  namespace k = sprout::kern;
  std::printf("sprout %s\nkernels: %s (CPU: %s; SPROUT_ISA=scalar|avx2|avx2_vnni|neon|neon_dot forces one)\n"
              "threads: %d (SPROUT_THREADS or --threads)\n",
              SPROUT_VERSION, k::isa_name(k::active_isa()), k::isa_name(k::detected_isa()), sprout::num_threads());
  if (const char* env = std::getenv("SPROUT_ISA"); env && *env) {
    k::Isa want;
    if (!k::parse_isa(env, &want)) std::printf("note: SPROUT_ISA=%s is not a kernel family; ignored\n", env);
    else if (!k::isa_supported(want)) std::printf("note: this CPU cannot run SPROUT_ISA=%s; scalar kernels run\n", env);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_help();
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_help();
    return 0;
  }
  if (name == "--version" || name == "version") {
    print_version();
    return 0;
  }
  int n = 0;
  const sprout::app::Command* cmds = sprout::app::commands(&n);
  for (int i = 0; i < n; ++i) {
    if (name != cmds[i].name) continue;
    try {
      const int rc = cmds[i].run(argc - 2, argv + 2);
      std::fflush(stdout);
      return rc;
    } catch (const sprout::UsageError& e) {
      report(e.subject(), e.cause());
      return 2;
    } catch (const sprout::Error& e) {
      report(e.subject(), e.cause());
      return 1;
    } catch (const std::bad_alloc&) {
      report(name, "out of memory");
      return 1;
    } catch (const std::exception& e) {
      report(name, e.what());
      return 1;
    }
  }
  report(name, "unknown command (see 'sprout --help')");
  return 2;
}
