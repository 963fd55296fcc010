// Thread count for parallel ops (OpenMP). Default: physical cores, unless
// SPROUT_THREADS is set; the CLI's --threads overrides both.
#pragma once

namespace sprout {

int physical_cores();
int num_threads();
void set_num_threads(int n);  // n <= 0 restores the default

}  // namespace sprout
