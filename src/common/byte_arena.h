#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace sluice {

// Bytes of many small values in few allocations, such as the decoded records of one
// request. What Allocate returns stays where it is until the arena is destroyed: blocks
// are never moved or freed before, not even when the arena itself is moved. Blocks grow
// from 16 KiB to 1 MiB; a larger request gets a block of its own. Not thread-safe.
class ByteArena {
 public:
  ByteArena() = default;
  ByteArena(ByteArena&&) noexcept = default;
  ByteArena& operator=(ByteArena&&) noexcept = default;
  ByteArena(const ByteArena&) = delete;
  ByteArena& operator=(const ByteArena&) = delete;

  // `bytes` writable bytes, unaligned.
  char* Allocate(size_t bytes);

 private:
  static constexpr size_t kFirstBlockBytes = size_t{16} << 10;
  static constexpr size_t kMaxBlockBytes = size_t{1} << 20;

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
  size_t next_block_bytes_ = kFirstBlockBytes;
};

}  // namespace sluice
