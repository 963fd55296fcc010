// JSON files (config.json, index.json, tokenizer.json, safetensors headers)
// are hostile input. load_json / parse_json bound the size and the nesting
// depth BEFORE nlohmann sees the text (its parser recurses once per level, so
// 10,000 nested brackets would overflow the stack), and turn every parse error
// into Error(path, cause).
//
// req<T>(j, key, path) / opt<T>(j, key, default, path) are typed getters whose
// errors name the key and the file: "missing key 'hidden_size'",
// "key 'hidden_size': expected integer, got string".
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "engine/error.h"

namespace sprout {

using Json = nlohmann::json;

constexpr uint64_t kMaxJsonBytes = uint64_t(256) << 20;  // tokenizer.json of 256k-vocab models is ~20 MB
constexpr int kMaxJsonDepth = 512;

// Parses `text`; errors are Error(subject, cause). With reject_duplicates an
// object holding the same key twice is an error (nlohmann would keep the last).
Json parse_json(std::string_view text, const std::string& subject, int max_depth = kMaxJsonDepth,
                bool reject_duplicates = false);
// Reads and parses the file at `path` (at most max_bytes).
Json load_json(const std::string& path, uint64_t max_bytes = kMaxJsonBytes, int max_depth = kMaxJsonDepth);
// Deepest bracket nesting of a JSON text, ignoring brackets inside strings;
// stops counting once `limit` is exceeded.
int json_depth(std::string_view text, int limit);

// "integer", "string", ... as used in error messages.
const char* json_kind(const Json& v);

namespace detail {
template <class T> constexpr const char* json_expected() {
  if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_integral_v<T>) return "integer";
  else if constexpr (std::is_floating_point_v<T>) return "number";
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (std::is_same_v<T, Json>) return "value";
  else return "value";
}

// Converts v to T or throws Error(path, "key 'k': expected ...").
template <class T> T json_as(const Json& v, std::string_view key, const std::string& path) {
  auto bad = [&](const std::string& why) -> T {
    fail(path, "key '" + std::string(key) + "': " + why);
  };
  auto expected = [&] { return bad(std::string("expected ") + json_expected<T>() + ", got " + json_kind(v)); };
  if constexpr (std::is_same_v<T, Json>) {
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) return expected();
    return v.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    // Integers may be written as 1e6 or 8.0 in some configs: accept integral floats.
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (u > uint64_t(std::numeric_limits<T>::max())) return bad("value out of range");
      return T(u);
    }
    if (v.is_number_integer()) {
      const int64_t s = v.get<int64_t>();
      if constexpr (std::is_unsigned_v<T>) {
        if (s < 0) return bad("value out of range");
        if (uint64_t(s) > uint64_t(std::numeric_limits<T>::max())) return bad("value out of range");
      } else {
        if (s < int64_t(std::numeric_limits<T>::min()) || s > int64_t(std::numeric_limits<T>::max()))
          return bad("value out of range");
      }
      return T(s);
    }
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (!std::isfinite(d) || d != std::floor(d)) return expected();
      if (d < double(std::numeric_limits<T>::min()) || d > double(std::numeric_limits<T>::max()))
        return bad("value out of range");
      return T(d);
    }
    return expected();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) return expected();
    return T(v.get<double>());
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return expected();
    return v.get<std::string>();
  } else {
    static_assert(sizeof(T) == 0, "unsupported type for req/opt");
  }
}
}  // namespace detail

// Required key of object j (from file `path`).
template <class T> T req(const Json& j, std::string_view key, const std::string& path) {
  if (!j.is_object()) fail(path, "expected a JSON object, got " + std::string(json_kind(j)));
  auto it = j.find(key);
  if (it == j.end()) fail(path, "missing key '" + std::string(key) + "'");
  return detail::json_as<T>(*it, key, path);
}

// Optional key: absent or null gives `def`; present with the wrong type is an error.
template <class T> T opt(const Json& j, std::string_view key, T def, const std::string& path = "json") {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return def;
  return detail::json_as<T>(*it, key, path);
}

}  // namespace sprout
