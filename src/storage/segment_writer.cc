#include "storage/segment_writer.h"

#include <algorithm>

#include "storage/segment.h"
#include "storage/segment_tail.h"

namespace sluice::storage {

SegmentWriter::SegmentWriter(std::unique_ptr<WritableFile> file, std::shared_ptr<SegmentTail> tail,
                             std::unique_ptr<IndexFile> index, uint64_t preallocate_bytes,
                             uint64_t end_offset, uint64_t end_position)
    : file_(std::move(file)),
      tail_(std::move(tail)),
      index_(std::move(index)),
      preallocate_bytes_(preallocate_bytes),
      allocated_end_(end_offset),
      written_end_(end_offset),
      committed_end_offset_(end_offset),
      committed_end_position_(end_position) {
  tail_->Attach(file_.get());
}

SegmentWriter::~SegmentWriter() { tail_->Detach(); }

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(Env* env, const Segment& segment,
                                                             uint64_t preallocate_bytes) {
  std::string path = segment.path();
  auto file = env->OpenWritable(path, OpenMode::kCreateOrTruncate);
  if (!file) return Fail(file.error());
  auto cleanup = [&](const Error& error) {
    file->reset();
    (void)env->RemoveFile(path);
    (void)env->RemoveFile(segment.index_path());
    return Fail(error);
  };
  char header[kSegmentHeaderBytes];
  EncodeSegmentHeader({segment.base_position(), segment.created_ms(), kSegmentFormatVersion},
                      header);
  uint64_t reserve = std::max<uint64_t>(preallocate_bytes, kSegmentHeaderBytes);
  if (auto status = (*file)->Allocate(0, reserve); !status) return cleanup(status.error());
  if (auto status = (*file)->WriteAt(0, std::string_view(header, sizeof(header))); !status) {
    return cleanup(status.error());
  }
  auto index = IndexFile::Create(env, segment.index_path(), segment.base_position());
  if (!index) return cleanup(index.error());
  auto writer = std::unique_ptr<SegmentWriter>(
      new SegmentWriter(std::move(*file), segment.tail(), std::move(*index), preallocate_bytes,
                        kSegmentHeaderBytes, segment.base_position()));
  writer->allocated_end_ = reserve;
  writer->needs_sync_ = true;
  return writer;
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Reopen(
    Env* env, const Segment& segment, uint64_t preallocate_bytes, uint64_t end_offset,
    uint64_t end_position, uint64_t index_valid_bytes, std::optional<uint64_t> last_index_offset) {
  auto file = env->OpenWritable(segment.path(), OpenMode::kOpenExisting);
  if (!file) return Fail(file.error());
  auto index = IndexFile::OpenForAppend(env, segment.index_path(), index_valid_bytes);
  if (!index) return Fail(index.error());
  auto writer = std::unique_ptr<SegmentWriter>(
      new SegmentWriter(std::move(*file), segment.tail(), std::move(*index), preallocate_bytes,
                        end_offset, end_position));
  writer->committed_last_index_offset_ = last_index_offset;
  writer->index_written_offset_ = last_index_offset;
  return writer;
}

Status SegmentWriter::Reserve(uint64_t end) {
  if (end > allocated_end_) {
    uint64_t step = std::max<uint64_t>(preallocate_bytes_, 1);
    uint64_t grow = (end - allocated_end_ + step - 1) / step * step;
    if (auto status = file_->Allocate(allocated_end_, grow); !status) return status;
    allocated_end_ += grow;
  }
  needs_sync_ = true;
  ++write_count_;
  return Ok();
}

Result<TailAppend> SegmentWriter::WriteBehind(uint64_t offset, std::string_view bytes) {
  uint64_t end = offset + bytes.size();
  if (auto status = Reserve(end); !status) return Fail(status.error());
  auto appended = tail_->Append(offset, bytes);
  if (appended) written_end_ = std::max(written_end_, end);
  return appended;
}

Status SegmentWriter::FlushTail() { return tail_->Flush(); }

Status SegmentWriter::Write(uint64_t offset, std::string_view bytes) {
  uint64_t end = offset + bytes.size();
  if (auto status = Reserve(end); !status) return status;
  if (auto status = file_->WriteAt(offset, bytes); !status) return status;
  written_end_ = std::max(written_end_, end);
  // Large writes start their way to the disk now; small ones are left to the sync, which
  // the shards of a batch share (StartWriteback would cost one device request each).
  if (bytes.size() >= kEarlyWritebackBytes) file_->StartWriteback(offset, bytes.size());
  return Ok();
}

Status SegmentWriter::Sync() {
  if (auto status = tail_->Flush(); !status) return status;
  if (!needs_sync_) return Ok();
  if (auto status = file_->Sync(); !status) return status;
  needs_sync_ = false;
  return Ok();
}

void SegmentWriter::MarkSynced(uint64_t write_count) {
  if (write_count == write_count_) needs_sync_ = false;
}

void SegmentWriter::Commit(uint64_t end_offset, uint64_t end_position,
                           std::span<const IndexEntry> entries) {
  committed_end_offset_ = end_offset;
  committed_end_position_ = end_position;
  if (!entries.empty()) committed_last_index_offset_ = entries.back().offset;
  unwritten_index_.insert(unwritten_index_.end(), entries.begin(), entries.end());
  DropCacheBehind();
}

void SegmentWriter::DropCacheBehind() {
  if (committed_end_offset_ < cache_dropped_end_ + kCachedSegmentBytes + kCacheDropStepBytes) {
    return;
  }
  // Committed bytes are durable: synced, or logged and, unless the tail still holds them
  // (it holds less than kCachedSegmentBytes but for a larger record), written to the file
  // with their writeback started. Pages still dirty or not written yet simply stay.
  DropCacheBefore(committed_end_offset_ - kCachedSegmentBytes);
}

void SegmentWriter::DropCacheBefore(uint64_t end) {
  if (end <= cache_dropped_end_) return;
  // A cached block (a large folio, up to 2 MiB) is dropped only if the range covers it
  // whole: starting at the block boundary before the last end gets the one it cut.
  constexpr uint64_t kLargestCachedBlock = uint64_t{2} << 20;
  const uint64_t from = cache_dropped_end_ / kLargestCachedBlock * kLargestCachedBlock;
  file_->DropCache(from, end - from);
  cache_dropped_end_ = end;
}

void SegmentWriter::FlushIndex() {
  if (unwritten_index_.empty()) return;
  if (index_ && !index_->Append(unwritten_index_)) index_.reset();
  index_written_offset_ = unwritten_index_.back().offset;
  unwritten_index_.clear();
}

void SegmentWriter::WriteIndexBatch() {
  if (!index_written_offset_ ||
      committed_end_offset_ - *index_written_offset_ >= kIndexWriteBatchBytes) {
    FlushIndex();
  }
}

Status SegmentWriter::RewindToCommitted() {
  tail_->Truncate(committed_end_offset_);
  if (written_end_ > committed_end_offset_ || allocated_end_ > committed_end_offset_) {
    if (auto status = file_->Truncate(committed_end_offset_); !status) return status;
    allocated_end_ = committed_end_offset_;
    written_end_ = committed_end_offset_;
  }
  // The truncation must be durable before new frames reuse these offsets.
  needs_sync_ = true;
  return Sync();
}

Status SegmentWriter::Seal(int64_t last_arrival_ms) {
  if (allocated_end_ != committed_end_offset_ || written_end_ != committed_end_offset_) {
    if (auto status = file_->Truncate(committed_end_offset_); !status) return status;
    allocated_end_ = committed_end_offset_;
    written_end_ = committed_end_offset_;
    needs_sync_ = true;
  }
  if (auto status = Sync(); !status) return status;
  FlushIndex();
  if (index_) {
    IndexEntry seal{committed_end_position_, committed_end_offset_, last_arrival_ms};
    // A missing seal only costs a rescan of this segment at the next open.
    if (!index_->AppendSeal(seal)) index_.reset();
  }
  DropCacheBefore(committed_end_offset_);
  return Ok();
}

}  // namespace sluice::storage
