#include "loaders/json_util.h"

#include <set>
#include <vector>

#include "loaders/mmap.h"

namespace sprout {

int json_depth(std::string_view s, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;           // skip the escaped character
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;       // unbalanced input is left to the parser to report
    }
  }
  return deepest;
}

const char* json_kind(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    case Json::value_t::binary: return "binary";
    case Json::value_t::discarded: return "invalid";
  }
  return "invalid";
}

Json parse_json(std::string_view text, const std::string& subject, int max_depth, bool reject_duplicates) {
  if (json_depth(text, max_depth) > max_depth)
    fail(subject, "JSON nested deeper than " + std::to_string(max_depth) + " levels");
  std::string duplicate;
  try {
    if (reject_duplicates) {
      // One key set per open object; the callback sees keys in document order.
      std::vector<std::set<std::string>> open;
      auto cb = [&](int, Json::parse_event_t ev, Json& parsed) {
        if (ev == Json::parse_event_t::object_start) open.emplace_back();
        else if (ev == Json::parse_event_t::object_end && !open.empty()) open.pop_back();
        else if (ev == Json::parse_event_t::key && !open.empty() && duplicate.empty()) {
          std::string k = parsed.get<std::string>();
          if (!open.back().insert(k).second) duplicate = std::move(k);
        }
        return true;
      };
      Json j = Json::parse(text.begin(), text.end(), cb);
      if (!duplicate.empty()) fail(subject, "duplicate key '" + duplicate + "'");
      return j;
    }
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    std::string what = e.what();
    const size_t p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    // Drop "; last read: '<raw bytes>'": it can hold invalid UTF-8 and control bytes.
    const size_t lr = what.find("; last read: '");
    if (lr != std::string::npos) {
      const size_t next = what.find("'; ", lr + 14);
      what.erase(lr, next == std::string::npos ? std::string::npos : next + 1 - lr);
    }
    fail(subject, "invalid JSON: " + what);
  }
}

Json load_json(const std::string& path, uint64_t max_bytes, int max_depth) {
  const std::string text = read_file(path, max_bytes);
  return parse_json(text, path, max_depth);
}

}  // namespace sprout
