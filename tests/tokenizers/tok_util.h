// Helpers for the tokenizer tests: fixture files and golden formats.
#pragma once
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/error.h"
#include "loaders/tokenizer.h"
#include "tests/test_util.h"

namespace sprout::test {

inline std::string tok_data(const std::string& rel) { return repo_path("tests/data/tokenizers/" + rel); }

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<int32_t> parse_ids(const std::string& line) {
  std::vector<int32_t> ids;
  std::istringstream ss(line);
  int64_t v;
  while (ss >> v) ids.push_back(int32_t(v));
  return ids;
}

// llama.cpp tokenizer test pairs: .inp = texts joined by "\n__ggml_vocab_test__\n",
// .out = one line of space-separated ids per text.
struct TextIds { std::string text; std::vector<int32_t> ids; };
inline std::vector<TextIds> llamacpp_pairs(const std::string& name) {
  std::string inp = slurp(tok_data("llamacpp/" + name + ".inp"));
  std::string out = slurp(tok_data("llamacpp/" + name + ".out"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (size_t p = 0;;) {
    size_t e = inp.find(sep, p);
    texts.push_back(inp.substr(p, e == std::string::npos ? std::string::npos : e - p));
    if (e == std::string::npos) break;
    p = e + sep.size();
  }
  std::vector<TextIds> r;
  size_t p = 0;
  for (const auto& t : texts) {  // the last text may be empty, its line too (no newline after it)
    if (p > out.size()) break;
    size_t e = out.find('\n', p);
    if (e == std::string::npos) e = out.size();
    r.push_back({t, parse_ids(out.substr(p, e - p))});
    p = e + 1;
  }
  EXPECT_EQ(r.size(), texts.size()) << name;
  return r;
}

// Printable form of a text for failure messages.
inline std::string show(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '\n') o += "\\n";
    else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\x%02x", c); o += b; }
    else o += char(c);
  }
  return o;
}

}  // namespace sprout::test
