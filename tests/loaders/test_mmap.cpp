#include <gtest/gtest.h>
#include <unistd.h>

#include "loaders/mmap.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {
using test::expect_error;

TEST(MappedFile, MapsAndReadsTheSameBytes) {
  test::TempDir dir;
  test::Bytes b(10000);
  for (size_t i = 0; i < b.size(); ++i) b[i] = uint8_t(i * 7);
  test::write_bytes(dir.file("f.bin"), b);
  for (bool use_mmap : {true, false}) {
    auto f = MappedFile::open(dir.file("f.bin"), use_mmap);
    EXPECT_EQ(f->mapped(), use_mmap);
    ASSERT_EQ(f->size(), b.size());
    EXPECT_EQ(0, std::memcmp(f->data(), b.data(), b.size()));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(f->data()) % 64, 0u);
    EXPECT_NO_THROW(f->check_unchanged());
  }
  MappedFile::Options o;
  o.populate = o.will_need = true;
  EXPECT_EQ(MappedFile::open(dir.file("f.bin"), o)->size(), b.size());
}

TEST(MappedFile, Errors) {
  test::TempDir dir;
  for (bool use_mmap : {true, false}) {
    expect_error([&] { MappedFile::open(dir.file("nope"), use_mmap); }, dir.file("nope") + ": no such file");
    expect_error([&] { MappedFile::open(dir.path(), use_mmap); }, dir.path() + ": is a directory");
    test::write_text(dir.file("empty"), "");
    expect_error([&] { MappedFile::open(dir.file("empty"), use_mmap); }, dir.file("empty") + ": empty file");
  }
  if (::geteuid() != 0) {  // root reads anything
    test::write_text(dir.file("secret"), "x");
    ::chmod(dir.file("secret").c_str(), 0);
    expect_error([&] { MappedFile::open(dir.file("secret")); }, dir.file("secret") + ": Permission denied");
  }
}

TEST(MappedFile, DetectsAFileThatShrank) {
  test::TempDir dir;
  test::write_bytes(dir.file("f.bin"), test::Bytes(8192, 1));
  auto f = MappedFile::open(dir.file("f.bin"));
  ASSERT_EQ(::truncate(dir.file("f.bin").c_str(), 100), 0);
  expect_error([&] { f->check_unchanged(); }, dir.file("f.bin") + ": file shrank from 8192 to 100 bytes while mapped");
}

TEST(MappedFile, FromBytesCopies) {
  const char text[] = "hello";
  auto f = MappedFile::from_bytes("mem", text, 5);
  EXPECT_EQ(f->path(), "mem");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f->data()), 5), "hello");
}

}  // namespace
}  // namespace sprout
