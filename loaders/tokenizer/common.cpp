#include "loaders/tokenizer/common.h"

#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include "engine/error.h"

namespace sprout::tok {

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) fail(path, "cannot open file");
  struct stat st;
  if (::fstat(fileno(f.get()), &st) != 0 || !S_ISREG(st.st_mode)) fail(path, "not a regular file");
  if (uint64_t(st.st_size) > max_bytes)
    fail(path, "file too large (" + std::to_string(st.st_size) + " bytes, limit " + std::to_string(max_bytes) + ")");
  std::string data(size_t(st.st_size), '\0');
  size_t got = data.empty() ? 0 : std::fread(data.data(), 1, data.size(), f.get());
  if (got != data.size()) fail(path, "short read (file changed while reading?)");
  return data;
}

nlohmann::json parse_json(std::string_view text, const std::string& subject) {
  // Depth check first, by a scan of brackets outside strings: cheaper than a parser callback
  // (tokenizer.json files are megabytes) and it rejects a 10,000-deep file before parsing.
  constexpr int kMaxDepth = 64;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) fail(subject, "JSON nested deeper than 64 levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    fail(subject, std::string("invalid JSON: ") + e.what());
  }
}

nlohmann::json load_json_file(const std::string& path, uint64_t max_bytes) {
  return parse_json(read_file(path, max_bytes), path);
}

std::string token_string(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    auto c = it->find("content");
    if (c != it->end() && c->is_string()) return c->get<std::string>();
  }
  return "";
}

namespace {

void read_tokenizer_config(TokenizerConfig& c) {
  const auto& j = c.raw;
  auto str = [&](const char* k) { auto it = j.find(k); return it != j.end() && it->is_string() ? it->get<std::string>() : std::string(); };
  c.tokenizer_class = str("tokenizer_class");
  c.bos = token_string(j, "bos_token");
  c.eos = token_string(j, "eos_token");
  c.pad = token_string(j, "pad_token");
  c.unk = token_string(j, "unk_token");
  if (auto it = j.find("chat_template"); it != j.end()) {
    if (it->is_string()) c.chat_template = it->get<std::string>();
    else if (it->is_array())  // [{"name": "default", "template": "..."}, ...]
      for (const auto& t : *it)
        if (t.is_object() && t.value("name", "") == "default" && t.contains("template") && t["template"].is_string())
          c.chat_template = t["template"].get<std::string>();
  }
  if (auto it = j.find("model_max_length"); it != j.end() && it->is_number()) {
    double v = it->get<double>();
    c.model_max_length = v > 0 && v < 2147483647.0 ? int32_t(v) : 0;
  }
  auto boolean = [&](const char* k, bool* has, bool* v) {
    auto it = j.find(k);
    if (it != j.end() && it->is_boolean()) { *has = true; *v = it->get<bool>(); }
  };
  boolean("add_bos_token", &c.has_add_bos, &c.add_bos);
  boolean("add_eos_token", &c.has_add_eos, &c.add_eos);
  boolean("do_lower_case", &c.has_lower, &c.do_lower_case);
  if (auto it = j.find("strip_accents"); it != j.end() && it->is_boolean()) c.strip_accents = it->get<bool>() ? 1 : 0;
  if (auto it = j.find("tokenize_chinese_chars"); it != j.end() && it->is_boolean())
    c.tokenize_chinese_chars = it->get<bool>();
}

}  // namespace

TokenizerConfig load_tokenizer_config(const std::string& dir) {
  TokenizerConfig c;
  c.path = dir + "/tokenizer_config.json";
  if (!file_exists(c.path)) return c;
  c.raw = load_json_file(c.path, 16ull << 20);
  if (!c.raw.is_object()) fail(c.path, "expected a JSON object");
  json_guard(c.path, [&] { read_tokenizer_config(c); });
  return c;
}

}  // namespace sprout::tok
