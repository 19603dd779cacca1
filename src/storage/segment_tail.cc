#include "storage/segment_tail.h"

#include <algorithm>
#include <cstring>

#include "storage/segment_writer.h"

namespace sluice::storage {

// The segment file with the tail laid over it.
class SegmentTail::Reader final : public ReadableFile {
 public:
  Reader(std::shared_ptr<SegmentTail> tail, std::shared_ptr<const ReadableFile> file)
      : tail_(std::move(tail)), file_(std::move(file)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    // A block replaces the one before only once that one is in the file, so whatever
    // lies before the block seen here is in the file.
    std::shared_ptr<const Block> block = tail_->published_.load(std::memory_order_acquire);
    if (block == nullptr) return file_->ReadAt(offset, out);
    if (offset >= block->base) return ReadBlock(*block, offset, out);
    return file_->ReadAt(offset, out.first(std::min<uint64_t>(out.size(), block->base - offset)));
  }

  Result<uint64_t> Size() const override {
    auto size = file_->Size();
    if (!size) return size;
    std::shared_ptr<const Block> block = tail_->published_.load(std::memory_order_acquire);
    if (block == nullptr) return size;
    return std::max<uint64_t>(*size, block->base + block->size.load(std::memory_order_acquire));
  }

 private:
  const std::shared_ptr<SegmentTail> tail_;
  const std::shared_ptr<const ReadableFile> file_;
};

std::shared_ptr<const ReadableFile> SegmentTail::Overlay(std::shared_ptr<SegmentTail> tail,
                                                         std::shared_ptr<const ReadableFile> file) {
  return std::make_shared<Reader>(std::move(tail), std::move(file));
}

size_t SegmentTail::ReadBlock(const Block& block, uint64_t offset, std::span<char> out) {
  const size_t size = block.size.load(std::memory_order_acquire);
  const uint64_t at = offset - block.base;
  if (at >= size) return 0;
  const size_t n = std::min<uint64_t>(out.size(), size - at);
  std::memcpy(out.data(), block.bytes.get() + at, n);
  return n;
}

void SegmentTail::Attach(WritableFile* file) {
  std::lock_guard lock(mu_);
  file_ = file;
}

void SegmentTail::Detach() {
  std::lock_guard lock(mu_);
  file_ = nullptr;
  if (block_ != nullptr && written_ < block_->size.load(std::memory_order_relaxed)) {
    lost_ = true;  // readers keep the block: the file does not have it
    return;
  }
  DropBlockLocked();
}

void SegmentTail::Discard() {
  std::lock_guard lock(mu_);
  file_ = nullptr;
  lost_ = false;
  DropBlockLocked();
}

void SegmentTail::DropBlockLocked() {
  block_.reset();
  written_ = 0;
  published_.store(nullptr, std::memory_order_release);
}

Error SegmentTail::LostError() {
  return Error{
      ErrorCode::kInternal, "a segment file closed before its logged bytes reached it", {}};
}

void SegmentTail::StartBlock(uint64_t base, size_t capacity) {
  auto block = std::make_shared<Block>();
  block->base = base;
  block->capacity = capacity;
  block->bytes = std::make_unique_for_overwrite<char[]>(capacity);
  block_ = block;
  written_ = 0;
  published_.store(std::move(block), std::memory_order_release);
}

Result<bool> SegmentTail::Append(uint64_t offset, std::string_view bytes) {
  std::lock_guard lock(mu_);
  size_t size = block_ != nullptr ? block_->size.load(std::memory_order_relaxed) : 0;
  const bool fits =
      block_ != nullptr && offset == block_->base + size && bytes.size() <= block_->capacity - size;
  if (!fits) {
    if (auto status = FlushLocked(); !status) return Fail(status.error());
    StartBlock(offset, std::max(kBlockBytes, bytes.size()));
    size = 0;
  }
  std::memcpy(block_->bytes.get() + size, bytes.data(), bytes.size());
  block_->size.store(size + bytes.size(), std::memory_order_release);
  const bool fresh = !pending_;
  pending_ = true;
  return fresh;
}

Status SegmentTail::Flush() {
  std::lock_guard lock(mu_);
  return FlushLocked();
}

Status SegmentTail::FlushLocked() {
  if (block_ == nullptr) return Ok();
  const size_t size = block_->size.load(std::memory_order_relaxed);
  if (written_ == size) return Ok();
  if (file_ == nullptr) return Fail(LostError());
  const uint64_t offset = block_->base + written_;
  const size_t length = size - written_;
  if (auto status =
          file_->WriteAt(offset, std::string_view(block_->bytes.get() + written_, length));
      !status) {
    return status;
  }
  if (length >= kEarlyWritebackBytes) file_->StartWriteback(offset, length);
  written_ = size;
  return Ok();
}

void SegmentTail::Truncate(uint64_t end) {
  std::lock_guard lock(mu_);
  if (block_ == nullptr) return;
  if (end >= block_->base) {
    const size_t size =
        std::min<uint64_t>(block_->size.load(std::memory_order_relaxed), end - block_->base);
    block_->size.store(size, std::memory_order_release);
    written_ = std::min(written_, size);
    return;
  }
  // Everything before the block is in the file, and `end` is before it.
  DropBlockLocked();
}

Status SegmentTail::WriteOut() {
  std::lock_guard lock(mu_);
  pending_ = false;
  if (lost_) return Fail(LostError());
  return FlushLocked();
}

}  // namespace sluice::storage
