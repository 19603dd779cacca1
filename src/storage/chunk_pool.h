#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "storage/sparse_index.h"

namespace sluice::storage {

class Segment;

// A run of encoded frames bound for one place in one segment file: appenders fill it
// (under the shard's append lock) and the flusher writes it with one system call. It
// also carries what the flusher needs once those bytes are durable: the end position,
// the last arrival time and the index entries of its frames.
struct WriteChunk {
  std::shared_ptr<Segment> segment;
  uint64_t file_offset = 0;  // where data()[0] goes in the segment file
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
  size_t size = 0;
  uint64_t end_position = 0;  // one past the last frame's position
  int64_t last_arrival_ms = 0;
  std::vector<IndexEntry> index_entries;

  char* data() { return buffer.get(); }
  std::string_view bytes() const { return std::string_view(buffer.get(), size); }
  size_t free_bytes() const { return capacity - size; }
};

// Recycles chunks of the standard size so the hot path neither allocates nor faults in
// fresh pages; bigger chunks (for frames larger than the standard size) are not kept.
// Thread-safe.
class ChunkPool {
 public:
  ChunkPool(size_t chunk_bytes, size_t max_free);
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;

  // An empty chunk with at least `min_capacity` bytes (and at least the standard size).
  std::unique_ptr<WriteChunk> Acquire(size_t min_capacity);
  void Release(std::unique_ptr<WriteChunk> chunk);

  size_t chunk_bytes() const { return chunk_bytes_; }

 private:
  const size_t chunk_bytes_;
  const size_t max_free_;
  std::mutex mu_;
  std::vector<std::unique_ptr<WriteChunk>> free_;  // guarded by mu_
};

}  // namespace sluice::storage
