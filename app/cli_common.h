// Small pieces several `sprout` subcommands share: the --threads and --kv-type options, printing
// token ids, and escaping strings for the JSON the commands print.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/args.h"
#include "engine/dtype.h"

namespace sprout::app {

// --threads T, 1..1024; when not given the engine's default (physical cores) stays.
void add_threads_option(ArgParser& p, const std::string& help = "threads (default: physical cores)");
// Sets the engine's thread count when --threads was given.
void apply_threads_option(const ArgParser& p);

// --kv-type f16|f32|q8_0 (default f16): the decoder's KV cache. q8_0 holds 53% of
// f16's bytes (models with head_dim a multiple of 32).
void add_kv_type_option(ArgParser& p, const std::string& flag = "--kv-type",
                        const std::string& help = "KV cache type: f16, f32 or q8_0 (53% of f16's memory)");
// The chosen type; UsageError naming the flag for anything else.
DType kv_type_option(const ArgParser& p, const std::string& flag = "--kv-type");

// {1, 2, 3} -> "1 2 3" (no trailing newline).
std::string join_ids(const std::vector<int32_t>& ids);

// The contents of a JSON string literal: '"' and '\\' escaped, control bytes as \u00XX.
std::string json_escape(const std::string& s);

}  // namespace sprout::app
