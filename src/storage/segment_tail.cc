#include "storage/segment_tail.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace sluice::storage {

// The segment file with the tail laid over it.
class SegmentTail::Reader final : public ReadableFile {
 public:
  Reader(std::shared_ptr<SegmentTail> tail, std::shared_ptr<const ReadableFile> file)
      : tail_(std::move(tail)), file_(std::move(file)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    return ReadOverlaid(offset, out, ReadWait::kMayWait);
  }

  Result<size_t> ReadCachedAt(uint64_t offset, std::span<char> out) const override {
    return ReadOverlaid(offset, out, ReadWait::kCachedOnly);
  }

  Result<uint64_t> Size() const override {
    auto size = file_->Size();
    if (!size) return size;
    std::shared_ptr<const View> view = tail_->Published();
    if (view == nullptr) return size;
    uint64_t end = *size;
    for (const auto& block : {view->current, view->full}) {
      if (block != nullptr) {
        end = std::max<uint64_t>(end, block->base + block->size.load(std::memory_order_acquire));
      }
    }
    return end;
  }

 private:
  Result<size_t> ReadOverlaid(uint64_t offset, std::span<char> out, ReadWait wait) const {
    // A block leaves the view only once it is in the file, so whatever lies before the
    // blocks seen here is in the file.
    std::shared_ptr<const View> view = tail_->Published();
    if (view == nullptr) return file_->Read(offset, out, wait);
    for (const auto& block : {view->current, view->full}) {
      if (block != nullptr && offset >= block->base) return ReadBlock(*block, offset, out);
    }
    const uint64_t first = view->full != nullptr ? view->full->base : view->current->base;
    return file_->Read(offset, out.first(std::min<uint64_t>(out.size(), first - offset)), wait);
  }

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
  std::lock_guard writeback(writeback_mu_);
  std::lock_guard writing(write_mu_);
  std::lock_guard lock(mu_);
  file_ = file;
}

void SegmentTail::Detach() {
  std::lock_guard writeback(writeback_mu_);
  std::lock_guard writing(write_mu_);
  std::lock_guard lock(mu_);
  file_ = nullptr;
  if (full_ != nullptr ||
      (block_ != nullptr && written_ < block_->size.load(std::memory_order_relaxed))) {
    lost_ = true;  // readers keep the blocks: the file does not have them
    return;
  }
  DropBlocksLocked();
}

void SegmentTail::Discard() {
  std::lock_guard writeback(writeback_mu_);
  std::lock_guard writing(write_mu_);
  std::lock_guard lock(mu_);
  file_ = nullptr;
  lost_ = false;
  DropBlocksLocked();
}

void SegmentTail::PublishLocked() {
  std::shared_ptr<const View> view;
  if (block_ != nullptr || full_ != nullptr)
    view = std::make_shared<const View>(View{full_, block_});
  std::lock_guard lock(published_mu_);
  published_.swap(view);  // the old view goes after the lock, with `view`
}

std::shared_ptr<const SegmentTail::View> SegmentTail::Published() const {
  std::lock_guard lock(published_mu_);
  return published_;
}

void SegmentTail::DropBlocksLocked() {
  block_.reset();
  full_.reset();
  written_ = 0;
  full_written_ = 0;
  PublishLocked();
}

Error SegmentTail::LostError() {
  return Error{
      ErrorCode::kInternal, "a segment file closed before its logged bytes reached it", {}};
}

Result<TailAppend> SegmentTail::Append(uint64_t offset, std::string_view bytes) {
  std::unique_lock lock(mu_);
  TailAppend result;
  size_t size = block_ != nullptr ? block_->size.load(std::memory_order_relaxed) : 0;
  const bool fits =
      block_ != nullptr && offset == block_->base + size && bytes.size() <= block_->capacity - size;
  if (!fits) {
    // Replacing blocks: no write may run meanwhile (lock order: write_mu_, then mu_).
    lock.unlock();
    std::lock_guard writing(write_mu_);
    lock.lock();
    auto filled = StartBlockLocked(lock, offset, bytes.size());
    if (!filled) return Fail(filled.error());
    result.block_full = *filled;
    size = 0;
  }
  std::memcpy(block_->bytes.get() + size, bytes.data(), bytes.size());
  block_->size.store(size + bytes.size(), std::memory_order_release);
  result.fresh = !pending_;
  pending_ = true;
  return result;
}

Result<bool> SegmentTail::StartBlockLocked(std::unique_lock<std::mutex>& lock, uint64_t offset,
                                           size_t bytes) {
  bool filled = false;
  if (block_ != nullptr) {
    const size_t size = block_->size.load(std::memory_order_relaxed);
    if (offset != block_->base + size) {
      // Somewhere else (everything is written then, or is written now).
      if (auto status = WriteLocked(lock, true); !status) return Fail(status.error());
      block_.reset();
    } else if (written_ < size) {
      // Full: it waits for its write, after the one before it (written here if it still
      // waits).
      if (auto status = WriteLocked(lock, false); !status) return Fail(status.error());
      full_ = std::move(block_);
      full_written_ = written_;
      filled = true;
    }
  }
  auto block = std::make_shared<Block>();
  block->base = offset;
  block->capacity = std::max(kBlockBytes, bytes);
  block->bytes = std::make_unique_for_overwrite<char[]>(block->capacity);
  block_ = std::move(block);
  written_ = 0;
  PublishLocked();
  return filled;
}

Status SegmentTail::Flush() {
  std::lock_guard writing(write_mu_);
  std::unique_lock lock(mu_);
  return WriteLocked(lock, true);
}

Status SegmentTail::WriteFullBlock() {
  std::lock_guard writeback(writeback_mu_);
  WritableFile* file = nullptr;
  uint64_t at = 0;
  size_t length = 0;
  {
    std::lock_guard writing(write_mu_);
    std::unique_lock lock(mu_);
    if (const Unwritten full = UnwrittenLocked(false); full.count > 0) {
      const Range& range = full.ranges[0];
      at = range.block->base + range.from;
      length = range.to - range.from;
    }
    if (Status status = WriteLocked(lock, false); !status) return status;
    file = file_;  // stays as it is while writeback_mu_ is held
  }
  // Outside write_mu_: starting a writeback can wait for the disk's queue, and an Append
  // that needs a new block must not.
  if (length > 0 && file != nullptr) file->StartWriteback(at, length);
  return Ok();
}

void SegmentTail::WriteBehind() { (void)WriteFullBlock(); }

Status SegmentTail::WriteLocked(std::unique_lock<std::mutex>& lock, bool current) {
  const Unwritten unwritten = UnwrittenLocked(current);
  if (!unwritten.empty() && file_ == nullptr) return Fail(LostError());
  // The blocks cannot change while write_mu_ is held (appends only add after `to`), so
  // the copy goes without mu_: an Append with room is not held up by the disk.
  WritableFile* file = file_;
  lock.unlock();
  auto [written, status] = WriteRanges(file, unwritten);
  lock.lock();
  MarkWrittenLocked(unwritten, written);
  return status;
}

bool SegmentTail::Unwritten::empty() const {
  return std::all_of(ranges.begin(), ranges.begin() + static_cast<ptrdiff_t>(count),
                     [](const Range& range) { return range.from == range.to; });
}

SegmentTail::Unwritten SegmentTail::UnwrittenLocked(bool current) const {
  Unwritten unwritten;
  if (full_ != nullptr) {
    unwritten.ranges[unwritten.count++] = {full_.get(), full_written_,
                                           full_->size.load(std::memory_order_relaxed)};
  }
  if (current && block_ != nullptr) {
    unwritten.ranges[unwritten.count++] = {block_.get(), written_,
                                           block_->size.load(std::memory_order_relaxed)};
  }
  return unwritten;
}

std::pair<size_t, Status> SegmentTail::WriteRanges(WritableFile* file, const Unwritten& unwritten) {
  for (size_t done = 0; done < unwritten.count; ++done) {
    const Range& range = unwritten.ranges[done];
    if (range.from == range.to) continue;
    const uint64_t at = range.block->base + range.from;
    const size_t length = range.to - range.from;
    Status status =
        file->WriteAt(at, std::string_view(range.block->bytes.get() + range.from, length));
    if (!status) return {done, std::move(status)};
  }
  return {unwritten.count, Ok()};
}

void SegmentTail::MarkWrittenLocked(const Unwritten& unwritten, size_t written) {
  for (size_t i = 0; i < written; ++i) {
    const Range& range = unwritten.ranges[i];
    (range.block == full_.get() ? full_written_ : written_) = range.to;
  }
  if (full_ != nullptr && full_written_ == full_->size.load(std::memory_order_relaxed)) {
    full_.reset();
    full_written_ = 0;
    PublishLocked();
  }
}

void SegmentTail::Truncate(uint64_t end) {
  std::lock_guard writing(write_mu_);
  std::lock_guard lock(mu_);
  auto cut = [end](Block& block, size_t& written) {
    const size_t size =
        std::min<uint64_t>(block.size.load(std::memory_order_relaxed), end - block.base);
    block.size.store(size, std::memory_order_release);
    written = std::min(written, size);
  };
  if (block_ != nullptr && end >= block_->base) {
    cut(*block_, written_);
    return;
  }
  block_.reset();
  written_ = 0;
  if (full_ != nullptr && end >= full_->base) {
    cut(*full_, full_written_);
    PublishLocked();
    return;
  }
  // Everything before the blocks is in the file, and `end` is before them.
  DropBlocksLocked();
}

Status SegmentTail::WriteOut() {
  std::lock_guard writing(write_mu_);
  std::unique_lock lock(mu_);
  pending_ = false;
  if (lost_) return Fail(LostError());
  return WriteLocked(lock, true);
}

}  // namespace sluice::storage
