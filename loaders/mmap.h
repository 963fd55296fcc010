// Model files are mapped read-only and used in place: opening a 2 GB model
// costs O(header), and the page cache is shared between processes. With
// use_mmap = false (--no-mmap) the file is read into an aligned heap buffer
// instead (for file systems that cannot map, or to pay the I/O up front).
//
// A mapped file that shrinks while in use would fault (SIGBUS) on access past
// its new end; check_unchanged() re-reads the size so callers can detect it
// before touching tensor data (e.g. after loading, before the first forward).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace sprout {

class MappedFile {
 public:
  struct Options {
    bool use_mmap = true;
    bool populate = false;   // MAP_POPULATE: fault every page in now (slower open, no faults later)
    bool will_need = false;  // madvise(MADV_WILLNEED): start read-ahead in the background
  };
  // Errors: missing, unreadable, a directory, empty, cannot be mapped, short read.
  static std::shared_ptr<MappedFile> open(const std::string& path, Options opt);
  static std::shared_ptr<MappedFile> open(const std::string& path, bool use_mmap = true) {
    Options o;
    o.use_mmap = use_mmap;
    return open(path, o);
  }
  // An in-memory copy of `bytes` presented as a file named `name` (tests, fuzzers).
  static std::shared_ptr<MappedFile> from_bytes(const std::string& name, const void* bytes, uint64_t n);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  bool mapped() const { return mapped_; }
  // Throws Error(path, "file changed size ...") if the file on disk is no
  // longer as large as when it was opened.
  void check_unchanged() const;

 private:
  MappedFile() = default;
  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  bool mapped_ = false;
  int fd_ = -1;
};

// Reads a whole (small) file into a string; errors if larger than max_bytes.
std::string read_file(const std::string& path, uint64_t max_bytes);

// strerror(errno) as a std::string.
std::string errno_text(int err);

}  // namespace sprout
