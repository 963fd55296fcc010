// The hostile-input corpus: hand-made broken model files, each with the exact
// error cause Sprout must report. Generated here (not committed as binaries)
// so every case documents how it is broken. Used by test_hostile.cpp (library
// errors), test_inspect_cli.cpp (`sprout inspect` exits 1 with one line) and
// the fuzzers' seed corpus (loaders/fuzz/make_seeds.cpp). No gtest here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sprout::hostile {

using Bytes = std::vector<uint8_t>;

struct Case {
  std::string name;   // file name, with the extension that picks the reader
  Bytes bytes;
  std::string cause;  // expected Error cause ("<file>: " is prefixed by the reader)
};

inline void le(Bytes& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void gstr(Bytes& b, const std::string& s) {
  le(b, s.size(), 8);
  b.insert(b.end(), s.begin(), s.end());
}
inline Bytes st(const std::string& header, size_t data_bytes) {
  Bytes b;
  le(b, header.size(), 8);
  b.insert(b.end(), header.begin(), header.end());
  b.resize(b.size() + data_bytes, 0);
  return b;
}
inline Bytes gguf_head(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
  Bytes b = {'G', 'G', 'U', 'F'};
  le(b, version, 4);
  le(b, n_tensors, 8);
  le(b, n_kv, 8);
  return b;
}
// A GGUF v3 file with no tensors and one metadata pair, written up to its value:
// the key, then the value type (4 u32, 8 string, 9 array); the caller appends the value.
inline Bytes gguf_one_key(const std::string& key, uint32_t value_type) {
  Bytes b = gguf_head(3, 0, 1);
  gstr(b, key);
  le(b, value_type, 4);
  return b;
}
// A GGUF file with one u32 key and tensors given as (name, ne innermost-first, ggml type, offset); data zeroed.
struct GTensor {
  std::string name;
  std::vector<uint64_t> ne;
  uint32_t type;
  uint64_t offset;
};
inline Bytes gguf_with(const std::vector<GTensor>& ts, uint64_t data_bytes, uint32_t alignment = 32) {
  Bytes b = gguf_head(3, ts.size(), 1);
  gstr(b, "general.alignment");
  le(b, 4, 4);
  le(b, alignment, 4);
  for (const GTensor& t : ts) {
    gstr(b, t.name);
    le(b, t.ne.size(), 4);
    for (uint64_t d : t.ne) le(b, d, 8);
    le(b, t.type, 4);
    le(b, t.offset, 8);
  }
  while (b.size() % alignment) b.push_back(0);
  b.resize(b.size() + data_bytes, 0);
  return b;
}

// A valid GGUF with one key of each kind and two tensors, and the byte offsets
// where each structural element starts, named as the reader names them.
struct Annotated {
  Bytes bytes;
  std::vector<std::pair<uint64_t, std::string>> boundaries;
};
inline Annotated valid_gguf() {
  Annotated a;
  Bytes& b = a.bytes;
  auto mark = [&](const std::string& what) { a.boundaries.emplace_back(b.size(), what); };
  b = {'G', 'G', 'U', 'F'};
  mark("the version");
  le(b, 3, 4);
  mark("the tensor count");
  le(b, 2, 8);
  mark("the metadata count");
  le(b, 2, 8);
  mark("metadata key #0 length");
  gstr(b, "general.architecture");
  mark("the type of key 'general.architecture'");
  le(b, 8, 4);
  mark("key 'general.architecture' length");
  gstr(b, "llama");
  mark("metadata key #1 length");
  gstr(b, "scores");
  mark("the type of key 'scores'");
  le(b, 9, 4);
  mark("key 'scores' array type");
  le(b, 6, 4);
  mark("key 'scores' array length");
  le(b, 2, 8);
  le(b, 0x3f800000, 4);
  le(b, 0x40000000, 4);
  const char* names[2] = {"a", "b"};
  for (int t = 0; t < 2; ++t) {
    const std::string n = names[t], w = "tensor '" + n + "'";
    mark("tensor name #" + std::to_string(t) + " length");
    gstr(b, n);
    mark(w + " n_dims");
    le(b, 2, 4);
    mark(w + " dimension 0");
    le(b, 4, 8);
    mark(w + " dimension 1");
    le(b, 2, 8);
    mark(w + " type");
    le(b, 0, 4);
    mark(w + " offset");
    le(b, uint64_t(t) * 32, 8);
  }
  while (b.size() % 32) b.push_back(0);
  b.resize(b.size() + 64, 0x11);
  return a;
}

inline std::vector<Case> cases() {
  std::vector<Case> c;
  const std::string ok_entry = R"("a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})";

  // ---- safetensors ----
  c.push_back({"st_empty.safetensors", {}, "empty file"});
  c.push_back({"st_short.safetensors", {7, 0, 0}, "file too small for a safetensors header (3 bytes)"});
  {
    Bytes b = st("{" + ok_entry + "}", 16);
    b.resize(4);  // cut inside the length
    c.push_back({"st_cut_in_length.safetensors", b, "file too small for a safetensors header (4 bytes)"});
    b = st("{" + ok_entry + "}", 16);
    const size_t full = b.size();
    b.resize(8);  // length only
    c.push_back({"st_cut_after_length.safetensors", b,
                 "header length " + std::to_string(full - 16 - 8) + " exceeds the file size (8 bytes)"});
    b = st("{" + ok_entry + "}", 16);
    b.resize(20);  // cut inside the header
    c.push_back({"st_cut_in_header.safetensors", b,
                 "header length " + std::to_string(full - 16 - 8) + " exceeds the file size (20 bytes)"});
    b = st("{" + ok_entry + "}", 16);
    b.resize(full - 16);  // header complete, no data
    c.push_back({"st_cut_before_data.safetensors", b,
                 "tensor 'a': data_offsets [0, 16] beyond the end of the data (0 bytes)"});
    b = st("{" + ok_entry + "}", 16);
    b.resize(full - 1);  // data one byte short
    c.push_back({"st_cut_in_data.safetensors", b,
                 "tensor 'a': data_offsets [0, 16] beyond the end of the data (15 bytes)"});
  }
  {
    Bytes b;
    le(b, uint64_t(1) << 63, 8);
    b.push_back('{');
    c.push_back({"st_header_len_2e63.safetensors", b, "header length 9223372036854775808 exceeds the file size (9 bytes)"});
  }
  c.push_back({"st_not_object.safetensors", st("[]", 0), "header is not a JSON object (not a safetensors file?)"});
  c.push_back({"st_bad_json.safetensors", st("{\"a\":{\"dtype\":\"F32\",}", 0),
               "invalid JSON: parse error at line 1, column 21: syntax error while parsing object key - unexpected "
               "'}'; expected string literal"});
  c.push_back({"st_deep_json.safetensors", st("{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}", 0),
               "JSON nested deeper than 512 levels"});
  c.push_back({"st_non_utf8_name.safetensors",
               st("{\"w\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
               "invalid JSON: parse error at line 1, column 4: syntax error while parsing object key - invalid "
               "string: ill-formed UTF-8 byte; expected string literal"});
  c.push_back({"st_duplicate_name.safetensors",
               st("{" + ok_entry + "," + ok_entry + "}", 16), "duplicate key 'a'"});
  c.push_back({"st_unknown_dtype.safetensors", st(R"({"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})", 4),
               "tensor 'a': unsupported dtype 'F8_E4M3'"});
  c.push_back({"st_offset_out_of_range.safetensors",
               st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[1000000,1000008]}})", 8),
               "tensor 'a': data_offsets [1000000, 1000008] beyond the end of the data (8 bytes)"});
  c.push_back({"st_offset_huge.safetensors",
               st(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}})", 8),
               "tensor 'a': data_offsets [18446744073709551615, 0] end before begin"});
  c.push_back({"st_overlap.safetensors",
               st(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 16),
               "tensors 'a' and 'b' overlap"});
  c.push_back({"st_size_mismatch.safetensors", st(R"({"a":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}})", 8),
               "tensor 'a': data_offsets span 8 bytes but BF16 [3] needs 6"});
  c.push_back({"st_dims_overflow.safetensors",
               st(R"({"a":{"dtype":"I64","shape":[65536,65536,65536,65536],"data_offsets":[0,8]}})", 8),
               "tensor 'a': shape [65536, 65536, 65536, 65536] byte size overflows 64 bits"});
  c.push_back({"st_negative_dim.safetensors", st(R"({"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", 16),
               "tensor 'a' shape: expected a non-negative integer, got integer -4"});
  c.push_back({"st_bad_metadata.safetensors", st(R"({"__metadata__":{"n":[1]}})", 0),
               "__metadata__ key 'n': expected string, got array"});

  // ---- GGUF ----
  {
    Bytes b = gguf_head(3, 0, 0);
    b[0] = 'X';
    c.push_back({"g_bad_magic.gguf", b, "not a GGUF file (bad magic)"});
  }
  c.push_back({"g_version1.gguf", gguf_head(1, 0, 0), "unsupported GGUF version 1 (2 and 3 are supported)"});
  c.push_back({"g_version_big_endian.gguf", [] { Bytes b = gguf_head(0, 0, 0); b[7] = 3; return b; }(),
               "unsupported GGUF version 50331648 (2 and 3 are supported)"});
  c.push_back({"g_tensor_count_2e63.gguf", gguf_head(3, uint64_t(1) << 63, 0),
               "tensor count 9223372036854775808 exceeds what the file can hold"});
  c.push_back({"g_kv_count_huge.gguf", gguf_head(3, 0, ~uint64_t(0)),
               "metadata count 18446744073709551615 exceeds what the file can hold"});
  {
    Bytes b = gguf_head(3, 0, 1);
    le(b, uint64_t(1) << 40, 8);  // key length far beyond the file
    b.resize(b.size() + 8, 'k');
    c.push_back({"g_string_beyond_file.gguf", b,
                 "metadata key #0: string length 1099511627776 exceeds the 8 bytes left in the file"});
  }
  {
    Bytes b = gguf_one_key("k", 8);
    le(b, 1000, 8);
    b.resize(b.size() + 10, 'v');
    c.push_back({"g_value_string_beyond_file.gguf", b, "key 'k': string length 1000 exceeds the 10 bytes left in the file"});
  }
  {
    Bytes b = gguf_one_key("k", 9);
    le(b, 8, 4);
    le(b, uint64_t(1) << 62, 8);  // 2^62 strings
    c.push_back({"g_array_count_huge.gguf", b,
                 "key 'k': array of 4611686018427387904 string elements exceeds the 0 bytes left in the file"});
  }
  {
    Bytes b = gguf_one_key("k", 13);
    le(b, 0, 8);
    c.push_back({"g_unknown_value_type.gguf", b, "key 'k': unknown value type 13"});
    b = gguf_one_key("k", 9);
    le(b, 77, 4);
    le(b, 1, 8);
    c.push_back({"g_unknown_array_type.gguf", b, "key 'k': unknown array element type 77"});
  }
  {
    Bytes b = gguf_one_key("k", 9);
    for (int d = 0; d < 20; ++d) {  // arrays of arrays, 20 deep
      le(b, 9, 4);
      le(b, 1, 8);
    }
    b.resize(b.size() + 64, 0);
    c.push_back({"g_nested_too_deep.gguf", b, "key 'k'[0][0][0][0][0][0][0]: arrays nested deeper than 8"});
  }
  {
    Bytes b = gguf_one_key("bad\xc0\xafkey", 4);  // overlong '/'
    le(b, 1, 4);
    c.push_back({"g_non_utf8_key.gguf", b, "metadata key #0: string is not valid UTF-8"});
    b = gguf_one_key("k", 8);
    gstr(b, "\xed\xa0\x80");  // a UTF-16 surrogate
    c.push_back({"g_non_utf8_value.gguf", b, "key 'k': string is not valid UTF-8"});
    b = gguf_head(3, 0, 2);
    for (int i = 0; i < 2; ++i) {
      gstr(b, "dup");
      le(b, 4, 4);
      le(b, 1, 4);
    }
    c.push_back({"g_duplicate_key.gguf", b, "duplicate metadata key 'dup'"});
  }
  {
    Bytes b = gguf_one_key("general.alignment", 4);
    le(b, 24, 4);
    c.push_back({"g_bad_alignment.gguf", b, "general.alignment must be a u32 power of two, got 24"});
  }
  c.push_back({"g_non_utf8_tensor_name.gguf", gguf_with({{"w\x80", {4}, 0, 0}}, 16),
               "tensor name #0: string is not valid UTF-8"});
  c.push_back({"g_duplicate_tensor.gguf", gguf_with({{"w", {4}, 0, 0}, {"w", {4}, 0, 32}}, 64),
               "duplicate tensor name 'w'"});
  c.push_back({"g_five_dims.gguf", gguf_with({{"w", {1, 1, 1, 1, 1}, 0, 0}}, 32), "tensor 'w': 5 dimensions, at most 4"});
  c.push_back({"g_dims_overflow.gguf", gguf_with({{"w", {uint64_t(1) << 32, uint64_t(1) << 32, 4}, 0, 0}}, 32),
               "tensor 'w': shape [4, 4294967296, 4294967296] byte size overflows 64 bits"});
  c.push_back({"g_dim_2e63.gguf", gguf_with({{"w", {uint64_t(1) << 63}, 0, 0}}, 32),
               "tensor 'w': dimension 9223372036854775808 too large"});
  c.push_back({"g_unsupported_type.gguf", gguf_with({{"w", {256}, 10, 0}}, 128),
               "tensor 'w': unsupported tensor type q2_k (10)"});
  c.push_back({"g_unknown_type.gguf", gguf_with({{"w", {256}, 1234, 0}}, 128),
               "tensor 'w': unsupported tensor type unknown (1234)"});
  c.push_back({"g_partial_block.gguf", gguf_with({{"w", {33}, 8, 0}}, 128),
               "tensor 'w': row of 33 values is not a whole number of q8_0 blocks"});
  c.push_back({"g_unaligned_offset.gguf", gguf_with({{"w", {4}, 0, 3}}, 64),
               "tensor 'w': offset 3 is not a multiple of the alignment 32"});
  {
    Bytes b = gguf_with({{"w", {4}, 0, 1 << 20}}, 64);
    c.push_back({"g_offset_out_of_range.gguf", b,
                 "tensor 'w': data at offset 1048576 (16 bytes) runs past the end of the file (" +
                     std::to_string(b.size()) + " bytes)"});
    b = gguf_with({{"w", {4}, 0, ~uint64_t(31)}}, 64);
    c.push_back({"g_offset_huge.gguf", b,
                 "tensor 'w': data at offset 18446744073709551584 (16 bytes) runs past the end of the file (" +
                     std::to_string(b.size()) + " bytes)"});
  }
  c.push_back({"g_overlap.gguf", gguf_with({{"a", {16}, 0, 0}, {"b", {16}, 0, 32}}, 128),
               "tensors 'a' and 'b' overlap"});
  // Truncated at every structural boundary of a valid file.
  const Annotated v = valid_gguf();
  for (const auto& [at, what] : v.boundaries) {
    Bytes b(v.bytes.begin(), v.bytes.begin() + long(at));
    // Cut before 2 tensors + 2 keys could possibly fit, the counts are rejected first.
    const std::string cause = at >= 24 && at - 24 < 74
                                  ? "2 tensors and 2 metadata keys need at least 74 bytes, only " +
                                        std::to_string(at - 24) + " are left (truncated?)"
                                  : "truncated: file ends at byte " + std::to_string(at) + " while reading " + what +
                                        " at offset " + std::to_string(at);
    c.push_back({"g_cut_" + std::to_string(at) + ".gguf", b, cause});
  }
  {
    Bytes b(v.bytes.begin(), v.bytes.end() - 1);  // last tensor's data one byte short
    c.push_back({"g_cut_in_data.gguf", b,
                 "tensor 'b': data at offset 32 (32 bytes) runs past the end of the file (" +
                     std::to_string(b.size()) + " bytes)"});
  }
  return c;
}

// JSON config files: name, contents, expected cause (from load_json / a config reader).
inline std::vector<Case> json_cases() {
  std::vector<Case> c;
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  c.push_back({"deep.json", Bytes(deep.begin(), deep.end()), "JSON nested deeper than 512 levels"});
  const std::string bad = "{\"model_type\": \"qw\xe9n\"}";
  c.push_back({"latin1.json", Bytes(bad.begin(), bad.end()),
               "invalid JSON: parse error at line 1, column 20: syntax error while parsing value - invalid string: "
               "ill-formed UTF-8 byte"});
  return c;
}

}  // namespace sprout::hostile
