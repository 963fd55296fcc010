// Helpers for the loader tests: temp directories, byte builders for
// safetensors and GGUF files, and an exact-error assertion.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "tests/test_util.h"

namespace sprout::test {

using Bytes = std::vector<uint8_t>;

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/sprout-test-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_bytes(const std::string& path, const void* data, size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(data), std::streamsize(n));
  ASSERT_TRUE(f.good()) << path;
}
inline void write_bytes(const std::string& path, const Bytes& b) { write_bytes(path, b.data(), b.size()); }
inline void write_text(const std::string& path, const std::string& s) { write_bytes(path, s.data(), s.size()); }

inline Bytes read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline void put_le(Bytes& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void put_str(Bytes& b, const std::string& s) {
  put_le(b, s.size(), 8);
  b.insert(b.end(), s.begin(), s.end());
}

// safetensors bytes: 8-byte length, the header text as given, then data.
inline Bytes safetensors_bytes(const std::string& header, const Bytes& data) {
  Bytes b;
  put_le(b, header.size(), 8);
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// Runs fn and checks it throws sprout::Error whose what() is exactly `expected`.
inline void expect_error(const std::function<void()>& fn, const std::string& expected) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected: " << expected;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

}  // namespace sprout::test
