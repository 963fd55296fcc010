// Small pieces several `sprout` subcommands share: the --threads option, printing
// token ids, and escaping strings for the JSON the commands print.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/args.h"

namespace sprout::app {

// --threads T, 1..1024; when not given the engine's default (physical cores) stays.
void add_threads_option(ArgParser& p, const std::string& help = "threads (default: physical cores)");
// Sets the engine's thread count when --threads was given.
void apply_threads_option(const ArgParser& p);

// {1, 2, 3} -> "1 2 3" (no trailing newline).
std::string join_ids(const std::vector<int32_t>& ids);

// The contents of a JSON string literal: '"' and '\\' escaped, control bytes as \u00XX.
std::string json_escape(const std::string& s);

}  // namespace sprout::app
