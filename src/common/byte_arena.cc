#include "common/byte_arena.h"

#include <algorithm>

namespace sluice {

char* ByteArena::Allocate(size_t bytes) {
  if (bytes > left_) {
    const size_t block_bytes = std::max(bytes, next_block_bytes_);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_bytes));
    next_ = blocks_.back().get();
    left_ = block_bytes;
    next_block_bytes_ = std::min(next_block_bytes_ * 2, kMaxBlockBytes);
  }
  char* out = next_;
  next_ += bytes;
  left_ -= bytes;
  return out;
}

}  // namespace sluice
