#include "storage/shard_writer.h"

// Retention: the part of ShardWriter that deletes expired segments.

#include <vector>

namespace sluice::storage {

Status ShardWriter::EnforceRetention() {
  int64_t now_ms = NowMs(options_);
  int64_t cutoff_ms = now_ms - retention_ms_.load(std::memory_order_relaxed);
  uint64_t cap_bytes = retention_bytes_.load(std::memory_order_relaxed);
  RollIdleExpired(cutoff_ms, now_ms);
  SealCompleted();

  std::vector<std::shared_ptr<Segment>> segments = segments_->Snapshot();
  uint64_t total_bytes = 0;
  for (const auto& segment : segments) total_bytes += segment->visible_end_offset();
  bool removed_any = false;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    Segment& segment = *segments[i];
    if (!segment.sealed()) break;
    bool expired = segment.last_arrival_ms() < cutoff_ms;
    bool over_cap = cap_bytes > 0 && total_bytes > cap_bytes;
    if (!expired && !over_cap) break;
    // The trim horizon moves first, so no reader starts on a file being deleted; readers
    // already in it keep their open file.
    segments_->RemoveFront();
    Status status = env_->RemoveFile(segment.path());
    if (!status && status.error().code != ErrorCode::kNotFound) {
      return Fail(Annotate(status.error()));
    }
    (void)env_->RemoveFile(segment.index_path());
    total_bytes -= segment.visible_end_offset();
    removed_any = true;
  }
  if (removed_any) {
    if (auto status = env_->SyncDir(dir_); !status) return Fail(Annotate(status.error()));
  }
  return Ok();
}

void ShardWriter::RollIdleExpired(int64_t cutoff_ms, int64_t now_ms) {
  std::shared_ptr<Segment> last = segments_->Back();
  if (last == nullptr || last->writer() == nullptr) return;
  if (last->visible_end_position() == last->base_position() ||
      last->last_arrival_ms() >= cutoff_ms) {
    return;
  }
  auto idle = [&] {
    return ops_.empty() && current_ == nullptr && waiters_.empty() && active_ == last &&
           next_position_ == committed_position_ && !failure_ && !closed_ && written_.empty() &&
           inflight_ == nullptr;
  };
  {
    std::lock_guard lock(mu_);
    if (!idle()) return;
  }
  // The successor is created before the expired segment can go, so the folder always
  // names the next position.
  auto next = std::make_shared<Segment>(dir_, last->visible_end_position(), now_ms);
  if (!CreateSegmentFiles(*next)) return;
  bool switched = false;
  {
    std::lock_guard lock(mu_);
    if (idle()) {
      segments_->Add(next);
      active_ = next;
      write_offset_ = kSegmentHeaderBytes;
      last_index_offset_.reset();
      switched = true;
    }
  }
  if (!switched) {
    next->ReleaseWriter();
    (void)env_->RemoveFile(next->path());
    (void)env_->RemoveFile(next->index_path());
    return;
  }
  dir_needs_sync_ = true;
  if (next->writer()->Sync() && env_->SyncDir(dir_)) dir_needs_sync_ = false;
  to_seal_.push_back(std::move(last));
}

}  // namespace sluice::storage
