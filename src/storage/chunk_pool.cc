#include "storage/chunk_pool.h"

#include <algorithm>

#include "storage/segment.h"

namespace sluice::storage {

ChunkPool::ChunkPool(size_t chunk_bytes, size_t max_free)
    : chunk_bytes_(chunk_bytes), max_free_(max_free) {}

std::unique_ptr<WriteChunk> ChunkPool::Acquire(size_t min_capacity) {
  if (min_capacity <= chunk_bytes_) {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      std::unique_ptr<WriteChunk> chunk = std::move(free_.back());
      free_.pop_back();
      return chunk;
    }
  }
  auto chunk = std::make_unique<WriteChunk>();
  chunk->capacity = std::max(min_capacity, chunk_bytes_);
  chunk->buffer = std::make_unique_for_overwrite<char[]>(chunk->capacity);
  return chunk;
}

void ChunkPool::Release(std::unique_ptr<WriteChunk> chunk) {
  if (chunk == nullptr || chunk->capacity != chunk_bytes_) return;
  chunk->segment.reset();
  chunk->size = 0;
  chunk->file_offset = 0;
  chunk->end_position = 0;
  chunk->last_arrival_ms = 0;
  chunk->index_entries.clear();
  std::lock_guard lock(mu_);
  if (free_.size() < max_free_) free_.push_back(std::move(chunk));
}

}  // namespace sluice::storage
