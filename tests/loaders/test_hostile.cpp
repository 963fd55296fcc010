// Every file of the hostile corpus (hostile_cases.h) gives its exact error
// through every entry point: the format's reader, WeightStore::open with and
// without mmap. Every prefix of a valid GGUF and safetensors file is rejected
// cleanly (never a crash, never a huge allocation: ASan would report both).
#include <gtest/gtest.h>

#include "loaders/config_llama.h"
#include "loaders/gguf.h"
#include "loaders/json_util.h"
#include "loaders/safetensors.h"
#include "loaders/weights.h"
#include "tests/loaders/hostile_cases.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {
using test::expect_error;

TEST(Hostile, EveryCaseGivesItsExactError) {
  test::TempDir dir;
  const auto cases = hostile::cases();
  ASSERT_GT(cases.size(), 50u);
  for (const hostile::Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = dir.file(c.name);
    test::write_bytes(path, c.bytes);
    for (bool use_mmap : {true, false})
      expect_error([&] { WeightStore::open(path, use_mmap); }, path + ": " + c.cause);
    if (c.bytes.empty()) continue;
    // The in-memory parsers agree with the file path.
    auto mem = MappedFile::from_bytes(c.name, c.bytes.data(), c.bytes.size());
    if (c.name.ends_with(".gguf")) expect_error([&] { GgufFile::parse(mem); }, c.name + ": " + c.cause);
    else expect_error([&] { SafetensorsFile::parse(mem); }, c.name + ": " + c.cause);
  }
}

TEST(Hostile, EveryPrefixOfAValidGgufIsRejected) {
  const hostile::Annotated v = hostile::valid_gguf();
  auto full = GgufFile::parse(MappedFile::from_bytes("v.gguf", v.bytes.data(), v.bytes.size()));
  ASSERT_EQ(full->tensors().size(), 2u);
  EXPECT_EQ(full->find("scores")->float_at(1), 2.0);
  for (size_t n = 1; n < v.bytes.size(); ++n) {
    auto f = MappedFile::from_bytes("v.gguf", v.bytes.data(), n);
    EXPECT_THROW(GgufFile::parse(f), Error) << "prefix of " << n << " bytes";
  }
}

TEST(Hostile, EveryPrefixOfAValidSafetensorsIsRejected) {
  const hostile::Bytes b = hostile::st(R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})", 16);
  EXPECT_NO_THROW(SafetensorsFile::parse(MappedFile::from_bytes("v", b.data(), b.size())));
  for (size_t n = 0; n < b.size(); ++n)
    EXPECT_THROW(SafetensorsFile::parse(MappedFile::from_bytes("v", b.data(), n)), Error) << n;
}

TEST(Hostile, SingleByteCorruptionsNeverCrash) {
  // Flip each byte of the valid GGUF's header to a few nasty values: the reader
  // must either accept the file or throw Error.
  const hostile::Annotated v = hostile::valid_gguf();
  const size_t header = v.boundaries.back().first + 8;
  for (size_t i = 0; i < header; ++i)
    for (uint8_t x : {uint8_t(0), uint8_t(0xff), uint8_t(0x80), uint8_t(v.bytes[i] + 1)}) {
      hostile::Bytes b = v.bytes;
      b[i] = x;
      try {
        GgufFile::parse(MappedFile::from_bytes("v.gguf", b.data(), b.size()));
      } catch (const Error&) {
      }
    }
}

TEST(Hostile, JsonConfigs) {
  test::TempDir dir;
  for (const hostile::Case& c : hostile::json_cases()) {
    const std::string path = dir.file(c.name);
    test::write_bytes(path, c.bytes);
    expect_error([&] { load_json(path); }, path + ": " + c.cause);
    expect_error([&] { llama_config_from_json(path); }, path + ": " + c.cause);
  }
}

}  // namespace
}  // namespace sprout
