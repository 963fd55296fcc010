#include "engine/arena.h"

#include <algorithm>
#include <new>

namespace sprout {

void* Arena::alloc_bytes(size_t n) {
  constexpr size_t kAlign = 64;
  n = (n + kAlign - 1) & ~(kAlign - 1);
  if (n == 0) n = kAlign;
  while (cur_ < chunks_.size()) {
    Chunk& c = chunks_[cur_];
    if (off_ + n <= c.size) {
      void* p = c.base + off_;
      off_ += n;
      used_ += n;
      peak_ = std::max(peak_, used_);
      return p;
    }
    ++cur_;
    off_ = 0;
  }
  const size_t size = std::max(n, chunk_bytes_);
  Chunk c;
  c.mem.reset(new uint8_t[size + kAlign]);
  c.base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(c.mem.get()) + kAlign - 1) & ~uintptr_t(kAlign - 1));
  c.size = size;
  chunks_.push_back(std::move(c));
  cur_ = chunks_.size() - 1;
  off_ = n;
  used_ += n;
  peak_ = std::max(peak_, used_);
  return chunks_.back().base;
}

size_t Arena::reserved() const {
  size_t s = 0;
  for (const Chunk& c : chunks_) s += c.size;
  return s;
}

}  // namespace sprout
