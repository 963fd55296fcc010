#include "app/cli_common.h"

#include <cstdio>

#include "engine/error.h"
#include "engine/kv_cache.h"
#include "engine/threads.h"

namespace sprout::app {

void add_threads_option(ArgParser& p, const std::string& help) { p.option("--threads", "T", help); }

void apply_threads_option(const ArgParser& p) {
  if (p.has("--threads")) set_num_threads(int(p.get_int("--threads", 1, 1024)));
}

void add_kv_type_option(ArgParser& p, const std::string& flag, const std::string& help) {
  p.option(flag, "TYPE", help, "f16");
}

DType kv_type_option(const ArgParser& p, const std::string& flag) {
  const std::string name = p.get(flag);
  if (const auto t = kv_dtype_from_name(name)) return *t;
  throw UsageError(flag, "'" + name + "': expected f16, f32 or q8_0");
}

std::string join_ids(const std::vector<int32_t>& ids) {
  std::string s;
  s.reserve(ids.size() * 7);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ' ';
    s += std::to_string(ids[i]);
  }
  return s;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o += char(c);
    }
  }
  return o;
}

}  // namespace sprout::app
