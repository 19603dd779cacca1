#include "storage/read_batch.h"

#include <algorithm>

namespace sluice::storage {

void ReadBatch::Clear() {
  records_.clear();
  buffers_used_ = 0;
  next_position_ = 0;
  payload_bytes_ = 0;
  needs_disk_ = false;
}

char* ReadBatch::AllocateBuffer(size_t bytes) {
  // Prefer an unused buffer that is big enough, so a batch reused for similar reads
  // stops allocating.
  for (size_t i = buffers_used_; i < buffers_.size(); ++i) {
    if (buffers_[i].capacity >= bytes) {
      std::swap(buffers_[i], buffers_[buffers_used_]);
      return buffers_[buffers_used_++].data.get();
    }
  }
  if (buffers_used_ == buffers_.size()) buffers_.emplace_back();
  Buffer& buffer = buffers_[buffers_used_++];
  buffer.capacity = bytes;
  buffer.data = std::make_unique_for_overwrite<char[]>(bytes);
  return buffer.data.get();
}

}  // namespace sluice::storage
