/* Reads a GGUF file with llama.cpp's own reader (ggml gguf_init_from_file,
 * data loaded) and prints what it saw, for comparison with Sprout's reader:
 *   kv <key> <type>            for each key
 *   tensor <name> <type> <ne0,ne1,..> <byte sum>
 * Exit 1 if llama.cpp rejects the file. Built by check_with_llamacpp.sh. */
#include <stdio.h>
#include <stdint.h>

#include "ggml.h"
#include "gguf.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  struct ggml_context* ctx = NULL;
  struct gguf_init_params p = {/*no_alloc=*/false, &ctx};
  struct gguf_context* g = gguf_init_from_file(argv[1], p);
  if (!g) {
    fprintf(stderr, "llama.cpp rejected %s\n", argv[1]);
    return 1;
  }
  printf("version %u alignment %zu\n", gguf_get_version(g), gguf_get_alignment(g));
  for (int64_t i = 0; i < gguf_get_n_kv(g); ++i)
    printf("kv %s %s\n", gguf_get_key(g, i), gguf_type_name(gguf_get_kv_type(g, i)));
  for (int64_t i = 0; i < gguf_get_n_tensors(g); ++i) {
    const char* name = gguf_get_tensor_name(g, i);
    struct ggml_tensor* t = ggml_get_tensor(ctx, name);
    uint64_t sum = 0;
    for (size_t b = 0; b < ggml_nbytes(t); ++b) sum += ((const uint8_t*)t->data)[b];
    printf("tensor %s %s %lld,%lld,%lld,%lld %llu\n", name, ggml_type_name(t->type), (long long)t->ne[0],
           (long long)t->ne[1], (long long)t->ne[2], (long long)t->ne[3], (unsigned long long)sum);
  }
  gguf_free(g);
  ggml_free(ctx);
  return 0;
}
