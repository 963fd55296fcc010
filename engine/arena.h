// A bump allocator for activations and scratch. Allocations are 64-byte
// aligned, never freed one by one: reset() (or a Mark) rewinds. The arena grows
// by chained chunks, so earlier pointers stay valid; peak() is the high-water
// mark of bytes in use, reported as activation memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace sprout {

class Arena {
 public:
  explicit Arena(size_t chunk_bytes = size_t(1) << 20) : chunk_bytes_(chunk_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* alloc_bytes(size_t n);
  template <class T> T* alloc(size_t count) { return static_cast<T*>(alloc_bytes(count * sizeof(T))); }

  struct Mark { size_t chunk, offset, used; };
  Mark mark() const { return {cur_, off_, used_}; }
  void rewind(const Mark& m) { cur_ = m.chunk; off_ = m.offset; used_ = m.used; }
  void reset() { cur_ = 0; off_ = 0; used_ = 0; }

  size_t used() const { return used_; }      // bytes in use now
  size_t peak() const { return peak_; }      // high-water mark of used()
  size_t reserved() const;                   // bytes held from the OS

 private:
  struct Chunk { std::unique_ptr<uint8_t[]> mem; size_t size; uint8_t* base; };
  std::vector<Chunk> chunks_;
  size_t chunk_bytes_;
  size_t cur_ = 0, off_ = 0, used_ = 0, peak_ = 0;
};

}  // namespace sprout
