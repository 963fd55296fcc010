#include "loaders/mmap.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "engine/error.h"

namespace sprout {

std::string errno_text(int err) { return std::strerror(err); }

namespace {

// Opens `path` for reading and returns its fd and size; rejects directories and
// other non-regular files with a clear cause.
int open_regular(const std::string& path, uint64_t* size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    fail(path, e == ENOENT ? std::string("no such file") : errno_text(e));
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    fail(path, errno_text(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    fail(path, "is a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(path, "not a regular file");
  }
  *size = uint64_t(st.st_size);
  return fd;
}

// Reads exactly n bytes; fewer means the file shrank under us.
void read_all(int fd, const std::string& path, uint8_t* out, uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, size_t(std::min<uint64_t>(n - done, 1u << 30)), off_t(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      fail(path, "read failed: " + errno_text(errno));
    }
    if (r == 0) fail(path, "file shrank while reading (" + std::to_string(done) + " of " + std::to_string(n) + " bytes)");
    done += uint64_t(r);
  }
}

}  // namespace

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path, Options opt) {
  std::shared_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
  uint64_t size = 0;
  f->fd_ = open_regular(path, &size);  // owned by f from here: the destructor closes it
  if (size == 0) fail(path, "empty file");
  if (size > uint64_t(SIZE_MAX / 2)) fail(path, "file too large to map");
  f->size_ = size;
  if (opt.use_mmap) {
    int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
    if (opt.populate) flags |= MAP_POPULATE;
#endif
    void* p = ::mmap(nullptr, size_t(size), PROT_READ, flags, f->fd_, 0);
    if (p == MAP_FAILED) fail(path, "cannot map file: " + errno_text(errno));
    f->data_ = static_cast<const uint8_t*>(p);
    f->mapped_ = true;
    if (opt.will_need) ::madvise(p, size_t(size), MADV_WILLNEED);
  } else {
    // 64-byte aligned so tensor rows can be read with aligned vector loads
    // where the file layout allows it. Rounded up: aligned_alloc wants a multiple.
    const size_t cap = size_t((size + 63) & ~uint64_t(63));
    void* p = std::aligned_alloc(64, cap);
    if (!p) fail(path, "out of memory reading " + std::to_string(size) + " bytes");
    f->data_ = static_cast<const uint8_t*>(p);  // owned from here
    read_all(f->fd_, path, static_cast<uint8_t*>(p), size);
    ::close(f->fd_);
    f->fd_ = -1;
  }
  return f;
}

std::shared_ptr<MappedFile> MappedFile::from_bytes(const std::string& name, const void* bytes, uint64_t n) {
  std::shared_ptr<MappedFile> f(new MappedFile());
  f->path_ = name;
  f->size_ = n;
  void* p = std::aligned_alloc(64, size_t((n + 64) & ~uint64_t(63)));
  if (!p) fail(name, "out of memory");
  if (n) std::memcpy(p, bytes, size_t(n));
  f->data_ = static_cast<const uint8_t*>(p);
  return f;
}

MappedFile::~MappedFile() {
  if (data_) {
    if (mapped_) ::munmap(const_cast<uint8_t*>(data_), size_t(size_));
    else std::free(const_cast<uint8_t*>(data_));
  }
  if (fd_ >= 0) ::close(fd_);
}

void MappedFile::check_unchanged() const {
  struct stat st{};
  if (fd_ >= 0) {
    if (::fstat(fd_, &st) != 0) fail(path_, errno_text(errno));
    if (uint64_t(st.st_size) < size_)
      fail(path_, "file shrank from " + std::to_string(size_) + " to " + std::to_string(st.st_size) +
                      " bytes while mapped");
  }
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
  uint64_t size = 0;
  const int fd = open_regular(path, &size);
  std::string out;
  try {
    if (size > max_bytes)
      fail(path, "file too large (" + std::to_string(size) + " bytes, limit " + std::to_string(max_bytes) + ")");
    out.resize(size_t(size));
    read_all(fd, path, reinterpret_cast<uint8_t*>(out.data()), size);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return out;
}

}  // namespace sprout
