#include "storage/shard_writer.h"

#include <algorithm>
#include <limits>

#include "common/assert.h"
#include "storage/frame.h"
#include "storage/segment_writer.h"

namespace sluice::storage {

namespace {

// Chunks kept for reuse per shard: enough for the bursts of a busy cycle.
constexpr size_t kFreeChunks = 16;

}  // namespace

Status ValidateRecord(const RecordInput& record) {
  if (record.partition_key.size() > kMaxPartitionKeyBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "partition key longer than " + std::to_string(kMaxPartitionKeyBytes) + " bytes");
  }
  if (record.explicit_hash_key.size() > kMaxExplicitHashKeyBytes) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "explicit hash key longer than " + std::to_string(kMaxExplicitHashKeyBytes) + " bytes");
  }
  if (record.data.size() > kMaxRecordDataBytes) {
    return Fail(ErrorCode::kInvalidArgument, "record data larger than 10 MiB");
  }
  return Ok();
}

ShardWriter::ShardWriter(Env* env, std::string dir, const ShardLogOptions& options,
                         Flusher* flusher, SegmentSet* segments, int64_t last_arrival_ms)
    : env_(env),
      dir_(std::move(dir)),
      options_(options),
      flusher_(flusher),
      segments_(segments),
      pool_(options.chunk_bytes, kFreeChunks),
      seal_plain_bytes_(std::min<size_t>(options.chunk_bytes, kMaxSealedFrameBytes) -
                        kSealedFrameOverhead),
      retention_ms_(options.retention_ms),
      retention_bytes_(options.retention_bytes),
      last_arrival_ms_(last_arrival_ms),
      last_sync_(std::chrono::steady_clock::now()),
      last_retention_(std::chrono::steady_clock::now()) {
  active_ = segments_->Back();
  SLUICE_ASSERT(active_ != nullptr && active_->writer() != nullptr,
                "a shard writer needs an open last segment");
  SegmentWriter* writer = active_->writer();
  next_position_ = writer->committed_end_position();
  committed_position_ = next_position_;
  write_offset_ = writer->committed_end_offset();
  last_index_offset_ = writer->committed_last_index_offset();
}

ShardWriter::~ShardWriter() = default;

Error ShardWriter::Annotate(const Error& error) const {
  return Error{error.code, "shard log '" + options_.name + "': " + error.message, error.wire_type};
}

Result<uint64_t> ShardWriter::ValidateBatch(std::span<const RecordInput> records) const {
  if (records.empty()) return Fail(ErrorCode::kInvalidArgument, "an append needs a record");
  if (records.size() > std::numeric_limits<uint32_t>::max()) {
    return Fail(ErrorCode::kInvalidArgument, "too many records in one append");
  }
  uint64_t batch_bytes = 0;
  for (const RecordInput& record : records) {
    if (auto status = ValidateRecord(record); !status) return Fail(status.error());
    batch_bytes += RecordFrameSize(record);
  }
  if (batch_bytes > options_.max_pending_bytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "an append of " + std::to_string(batch_bytes) + " bytes is larger than the " +
                    std::to_string(options_.max_pending_bytes) + " a shard log accepts at once");
  }
  return batch_bytes;
}

Status ShardWriter::Append(std::span<const RecordInput> records, AppendCallback done,
                           FlushNotices* notices) {
  auto plain_bytes = ValidateBatch(records);
  if (!plain_bytes) return Fail(plain_bytes.error());
  int64_t now_ms = NowMs(options_);
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      return Fail(ErrorCode::kFailedPrecondition, "shard log '" + options_.name + "' is closed");
    }
    if (failure_) return Fail(*failure_);
    std::vector<SealedPiece> pieces;  // stays empty for plain record frames
    uint64_t batch_bytes = *plain_bytes;
    if (sealer_ != nullptr) {
      auto sealed_bytes = PlanSealed(records, pieces);
      if (!sealed_bytes) return Fail(Annotate(sealed_bytes.error()));
      batch_bytes = *sealed_bytes;
    }
    if (pending_bytes_ > 0 && pending_bytes_ + batch_bytes > options_.max_pending_bytes) {
      return Fail(ErrorCode::kUnavailable,
                  "shard log '" + options_.name + "' has too many appends waiting for the disk");
    }
    int64_t arrival_ms = std::max(now_ms, last_arrival_ms_);
    last_arrival_ms_ = arrival_ms;
    MaybeRoll(batch_bytes, arrival_ms);
    uint64_t first_position = next_position_;
    if (pieces.empty()) {
      for (const RecordInput& record : records) EncodeRecord(record, arrival_ms);
    } else {
      EncodeSealed(records, pieces, arrival_ms);
    }
    waiters_.push_back(
        Waiter{next_position_,
               AppendResult{first_position, static_cast<uint32_t>(records.size()), arrival_ms},
               std::move(done)});
    pending_bytes_ += batch_bytes;
  }
  if (notices != nullptr) {
    notices->Add(flusher_, this);
  } else {
    flusher_->Notify(this);
  }
  return Ok();
}

void ShardWriter::MaybeRoll(uint64_t batch_bytes, int64_t arrival_ms) {
  if (write_offset_ <= kSegmentHeaderBytes) return;  // empty segments never roll
  bool full = write_offset_ + batch_bytes > options_.segment_bytes;
  bool old = arrival_ms - active_->created_ms() >= options_.segment_max_age_ms;
  if (!full && !old) return;
  CloseCurrentChunk();
  auto next = std::make_shared<Segment>(dir_, next_position_, arrival_ms);
  ops_.push_back(FlushOp{nullptr, next, nullptr});
  active_ = std::move(next);
  write_offset_ = kSegmentHeaderBytes;
  last_index_offset_.reset();
}

void ShardWriter::EncodeRecord(const RecordInput& record, int64_t arrival_ms) {
  size_t frame_bytes = RecordFrameSize(record);
  EncodeRecordFrame(next_position_, arrival_ms, record, ReserveFrame(frame_bytes, arrival_ms));
  AdvanceFrame(frame_bytes, 1, arrival_ms);
}

char* ShardWriter::ReserveFrame(size_t frame_bytes, int64_t arrival_ms) {
  if (current_ == nullptr || current_->free_bytes() < frame_bytes) {
    CloseCurrentChunk();
    current_ = pool_.Acquire(frame_bytes);
    current_->segment = active_;
    current_->file_offset = write_offset_;
  }
  if (!last_index_offset_ || write_offset_ - *last_index_offset_ >= options_.index_interval_bytes) {
    current_->index_entries.push_back(IndexEntry{next_position_, write_offset_, arrival_ms});
    last_index_offset_ = write_offset_;
  }
  return current_->data() + current_->size;
}

void ShardWriter::AdvanceFrame(size_t frame_bytes, uint32_t record_count, int64_t arrival_ms) {
  current_->size += frame_bytes;
  write_offset_ += frame_bytes;
  next_position_ += record_count;
  current_->end_position = next_position_;
  current_->last_arrival_ms = arrival_ms;
}

void ShardWriter::CloseCurrentChunk() {
  if (current_ == nullptr) return;
  if (current_->size == 0) {
    pool_.Release(std::move(current_));
    return;
  }
  ops_.push_back(FlushOp{std::move(current_), nullptr, nullptr});
}

bool ShardWriter::DrainedLocked() const {
  return waiters_.empty() && ops_.empty() && current_ == nullptr;
}

void ShardWriter::StopAndDrain() {
  std::unique_lock lock(mu_);
  closed_ = true;
  if (DrainedLocked()) return;
  lock.unlock();
  flusher_->Notify(this);
  lock.lock();
  drained_cv_.wait(lock, [&] { return DrainedLocked(); });
}

void ShardWriter::set_retention(int64_t retention_ms, uint64_t retention_bytes) {
  retention_ms_.store(retention_ms, std::memory_order_relaxed);
  retention_bytes_.store(retention_bytes, std::memory_order_relaxed);
}

ShardWriter::Stats ShardWriter::stats() const {
  Stats stats;
  stats.cycles = cycles_.load(std::memory_order_relaxed);
  stats.syncs = syncs_.load(std::memory_order_relaxed);
  stats.rewinds = rewinds_.load(std::memory_order_relaxed);
  stats.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  return stats;
}

// ---- Flusher side ----

void ShardWriter::FlushCycle() {
  if (inflight_ != nullptr && flusher_->SyncDone(&inflight_->job)) {
    if (!inflight_->job.status) {
      (void)Complete(std::move(inflight_));  // rewinds
      return;
    }
    finished_ = std::move(inflight_);  // completed in FinishCycle, once the next sync runs
  }
  std::vector<FlushOp>& ops = taken_;
  {
    std::lock_guard lock(mu_);
    if (!failure_) {
      CloseCurrentChunk();
      ops.swap(ops_);
    }
  }
  if (!ops.empty()) {
    cycles_.fetch_add(1, std::memory_order_relaxed);
    Status status = WriteOps(ops);
    for (FlushOp& op : ops) written_.push_back(std::move(op));
    ops.clear();
    if (!status) {
      // Settle the syncs first: what they cover may still be acknowledged.
      FinishCycle();
      if (inflight_ != nullptr) {
        flusher_->WaitSync(&inflight_->job);
        if (!Complete(std::move(inflight_))) return;
      }
      Rewind(status.error(), false);
      return;
    }
  }
  if (written_.empty()) {
    FailQueued();  // only does something once the log has failed
    return;
  }
  if (options_.durability != DurabilityPolicy::kSync) {
    CommitWithoutSync();
  } else if (inflight_ == nullptr) {
    if (Status status = StartSync(); !status) Rewind(status.error(), false);
  }
}

Status ShardWriter::WriteOps(std::vector<FlushOp>& ops) {
  for (FlushOp& op : ops) {
    if (op.roll_to != nullptr) {
      std::shared_ptr<Segment> previous = segments_->Back();
      if (auto status = CreateSegmentFiles(*op.roll_to); !status) return status;
      segments_->Add(op.roll_to);
      dir_needs_sync_ = true;
      op.rolled_from = std::move(previous);
      continue;
    }
    WriteChunk& chunk = *op.chunk;
    SegmentWriter* writer = chunk.segment->writer();
    SLUICE_ASSERT(writer != nullptr, "chunk for a segment without open files");
    if (flusher_->has_write_ahead_log()) {
      // Logged, the bytes need not reach the file every cycle (SegmentTail).
      auto appended = writer->WriteBehind(chunk.file_offset, chunk.bytes());
      if (!appended) return Fail(appended.error());
      if (appended->fresh) flusher_->DeferToCheckpoint(chunk.segment->tail());
      if (appended->block_full) flusher_->WriteBehind(chunk.segment->tail());
    } else if (auto status = writer->Write(chunk.file_offset, chunk.bytes()); !status) {
      return status;
    }
    bytes_written_.fetch_add(chunk.size, std::memory_order_relaxed);
  }
  return Ok();
}

Status ShardWriter::StartSync() {
  std::unique_ptr<Inflight> inflight;
  if (spares_.empty()) {
    inflight = std::make_unique<Inflight>();
  } else {
    inflight = std::move(spares_.back());
    spares_.pop_back();
  }
  // Oldest segment first, so that a crash never keeps a newer segment's data without the
  // older one's.
  for (const FlushOp& op : written_) {
    if (op.chunk == nullptr) continue;
    SegmentWriter* writer = op.chunk->segment->writer();
    if (!inflight->synced_writes.empty() && inflight->synced_writes.back().first == writer)
      continue;
    inflight->job.files.push_back(writer->file());
    inflight->synced_writes.emplace_back(writer, writer->write_count());
  }
  if (flusher_->has_write_ahead_log()) {
    // The log makes the writes durable instead of the files. Not when a segment was
    // created: its file must be durable before the log refers to it (see WriteAheadLog).
    for (const FlushOp& op : written_) {
      if (op.chunk == nullptr) continue;
      const WriteChunk& chunk = *op.chunk;
      inflight->job.writes.push_back({chunk.segment->path(), chunk.file_offset, chunk.bytes()});
    }
    if (dir_needs_sync_ || !flusher_->CanLog(inflight->job.files, inflight->job.writes)) {
      inflight->job.writes.clear();
      // The files are synced instead: what their tails hold back must be in them first.
      for (const auto& synced : inflight->synced_writes) {
        if (auto status = synced.first->FlushTail(); !status) {
          Recycle(std::move(inflight));
          return status;
        }
      }
    }
  }
  inflight->ops.swap(written_);
  if (dir_needs_sync_) {  // a new segment's name must be durable before its records
    inflight->job.env = env_;
    inflight->job.dir = dir_;
    dir_needs_sync_ = false;
  }
  inflight->job.client = this;
  inflight_ = std::move(inflight);
  flusher_->SubmitSync(&inflight_->job);
  return Ok();
}

void ShardWriter::FinishCycle() {
  if (finished_ != nullptr) (void)Complete(std::move(finished_));  // its sync succeeded
  // Logged by this cycle's PublishSyncs: done now rather than in the next cycle. A sync thread's
  // job is completed through the FlushCycle it queues.
  if (inflight_ != nullptr && inflight_->job.logged() && flusher_->SyncDone(&inflight_->job)) {
    (void)Complete(std::move(inflight_));
  }
}

bool ShardWriter::Complete(std::unique_ptr<Inflight> inflight) {
  if (!inflight->job.status) {
    if (!inflight->job.dir.empty()) dir_needs_sync_ = true;
    RecycleOps(inflight->ops);
    const Error error = inflight->job.status.error();
    Recycle(std::move(inflight));
    Rewind(error, false);
    return false;
  }
  if (!inflight->job.logged()) {
    syncs_.fetch_add(inflight->job.files.size(), std::memory_order_relaxed);
    for (auto [writer, write_count] : inflight->synced_writes) writer->MarkSynced(write_count);
  }
  last_sync_ = std::chrono::steady_clock::now();
  Commit(inflight->ops);
  Recycle(std::move(inflight));
  return true;
}

void ShardWriter::Recycle(std::unique_ptr<Inflight> inflight) {
  inflight->job.Clear();
  inflight->ops.clear();
  inflight->synced_writes.clear();
  if (spares_.size() < 2) spares_.push_back(std::move(inflight));
}

void ShardWriter::CommitWithoutSync() {
  auto now = std::chrono::steady_clock::now();
  if (options_.durability == DurabilityPolicy::kInterval &&
      now - last_sync_ >= std::chrono::milliseconds(options_.sync_interval_ms)) {
    if (auto status = SyncAllOpen(); !status) {
      // The failed sync may have lost acknowledged data: the log cannot promise anything
      // more until it is reopened and recovered.
      Rewind(status.error(), true);
      return;
    }
  } else {
    unsynced_ = true;
  }
  std::vector<FlushOp> ops;
  ops.swap(written_);
  Commit(ops);
}

Status ShardWriter::CreateSegmentFiles(Segment& segment) {
  auto writer = SegmentWriter::Create(env_, segment, options_.preallocate_bytes);
  if (!writer) return Fail(writer.error());
  auto reader = env_->OpenReadable(segment.path());
  if (!reader) {
    writer->reset();
    (void)env_->RemoveFile(segment.path());
    (void)env_->RemoveFile(segment.index_path());
    return Fail(reader.error());
  }
  segment.set_writer(std::move(*writer));
  segment.set_reader(std::move(*reader));
  return Ok();
}

Status ShardWriter::SyncAllOpen() {
  // Every segment with open files, oldest first (so that a crash never keeps a newer
  // segment's data without the older one's): the rolled ones not sealed yet, the ones
  // written since, the newest one.
  std::vector<Segment*> open;
  auto add = [&](Segment* segment) {
    if (std::find(open.begin(), open.end(), segment) == open.end()) open.push_back(segment);
  };
  for (const std::shared_ptr<Segment>& segment : to_seal_) add(segment.get());
  for (const FlushOp& op : written_) {
    if (op.chunk != nullptr) add(op.chunk->segment.get());
  }
  if (std::shared_ptr<Segment> last = segments_->Back()) add(last.get());
  for (Segment* segment : open) {
    SegmentWriter* writer = segment->writer();
    if (writer == nullptr || !writer->needs_sync()) continue;
    if (auto status = writer->Sync(); !status) return status;
    syncs_.fetch_add(1, std::memory_order_relaxed);
  }
  if (dir_needs_sync_) {
    if (auto status = env_->SyncDir(dir_); !status) return status;
    dir_needs_sync_ = false;
  }
  last_sync_ = std::chrono::steady_clock::now();
  unsynced_ = false;
  return Ok();
}

void ShardWriter::Commit(std::vector<FlushOp>& ops) {
  uint64_t end_position = 0;
  uint64_t bytes = 0;
  std::vector<Segment*>& touched = touched_;
  touched.clear();
  for (FlushOp& op : ops) {
    if (op.chunk == nullptr) {
      to_seal_.push_back(std::move(op.rolled_from));  // complete once this commit is done
      continue;
    }
    WriteChunk& chunk = *op.chunk;
    Segment& segment = *chunk.segment;
    uint64_t end_offset = chunk.file_offset + chunk.size;
    segment.writer()->Commit(end_offset, chunk.end_position, chunk.index_entries);
    segment.AddIndexEntries(chunk.index_entries);
    segment.Publish(end_offset, chunk.end_position, chunk.last_arrival_ms);
    if (touched.empty() || touched.back() != &segment) touched.push_back(&segment);
    end_position = chunk.end_position;
    bytes += chunk.size;
  }
  if (bytes > 0) segments_->PublishTail(end_position);
  {
    std::lock_guard lock(mu_);
    if (bytes > 0) committed_position_ = end_position;
    while (!waiters_.empty() && waiters_.front().end_position <= committed_position_) {
      completed_.push_back(std::move(waiters_.front()));
      waiters_.pop_front();
    }
    pending_bytes_ -= bytes;
    if (DrainedLocked()) drained_cv_.notify_all();
  }
  RecycleOps(ops);
  for (Waiter& waiter : completed_) waiter.done(waiter.result);
  completed_.clear();
  // Seal first: a newer segment's index entries are the proof recovery looks for that
  // the older segments are whole.
  SealCompleted();
  for (Segment* segment : touched) {
    if (segment->writer() != nullptr) segment->writer()->WriteIndexBatch();
  }
}

void ShardWriter::RecycleOps(std::vector<FlushOp>& ops) {
  for (FlushOp& op : ops) pool_.Release(std::move(op.chunk));
  ops.clear();
}

void ShardWriter::SealCompleted() {
  while (!to_seal_.empty()) {
    Segment& segment = *to_seal_.front();
    SegmentWriter* writer = segment.writer();
    if (writer != nullptr) {
      if (!writer->Seal(segment.last_arrival_ms())) return;  // retried by Tick
      segment.ReleaseWriter();
    }
    segment.MarkSealed();
    to_seal_.erase(to_seal_.begin());
  }
}

void ShardWriter::FailQueued() {
  std::unique_lock lock(mu_);
  if (!failure_) return;  // before any deque is made: this runs on every idle cycle
  const Error error = *failure_;
  std::deque<Waiter> failed;
  std::vector<FlushOp> dropped;
  failed.swap(waiters_);
  CloseCurrentChunk();
  dropped.swap(ops_);
  pending_bytes_ = 0;
  drained_cv_.notify_all();
  lock.unlock();
  RecycleOps(dropped);
  for (Waiter& waiter : failed) waiter.done(Fail(error));
}

void ShardWriter::Rewind(const Error& cause, bool fail_stop) {
  SLUICE_ASSERT(inflight_ == nullptr, "rewind with a sync in flight");
  rewinds_.fetch_add(1, std::memory_order_relaxed);
  RecycleOps(written_);
  Error error = Annotate(cause);
  std::deque<Waiter> failed;
  std::vector<FlushOp> dropped;
  std::shared_ptr<Segment> keep;
  {
    std::lock_guard lock(mu_);
    failed.swap(waiters_);
    CloseCurrentChunk();
    dropped.swap(ops_);
    pending_bytes_ = 0;
    // The segment holding the last acknowledged record (or starting right after it)
    // becomes the active one again; segments created after it hold nothing acknowledged.
    keep = segments_->Find(committed_position_);
    SLUICE_ASSERT(keep != nullptr && keep->writer() != nullptr,
                  "no open segment holds the committed end");
    SegmentWriter* writer = keep->writer();
    active_ = keep;
    next_position_ = committed_position_;
    write_offset_ = writer->committed_end_offset();
    last_index_offset_ = writer->committed_last_index_offset();
    if (fail_stop) failure_ = error;
  }
  RecycleOps(dropped);
  if (Status status = DropUncommittedFiles(keep); !status) {
    std::lock_guard lock(mu_);
    if (!failure_) {
      failure_ = Annotate(Error{ErrorCode::kUnavailable,
                                "cannot roll back after a storage error (" + cause.message +
                                    "): " + status.error().message + "; reopen the log",
                                {}});
    }
  }
  for (Waiter& waiter : failed) waiter.done(Fail(error));
  FailQueued();
  std::lock_guard lock(mu_);
  if (DrainedLocked()) drained_cv_.notify_all();
}

Status ShardWriter::DropUncommittedFiles(const std::shared_ptr<Segment>& keep) {
  std::erase_if(to_seal_, [&](const std::shared_ptr<Segment>& segment) {
    return segment->base_position() >= keep->base_position();
  });
  Status status = Ok();
  for (std::shared_ptr<Segment> last = segments_->Back(); last != keep; last = segments_->Back()) {
    segments_->RemoveBack();
    last->tail()->Discard();
    last->ReleaseWriter();
    Status removed = env_->RemoveFile(last->path());
    if (!removed && removed.error().code != ErrorCode::kNotFound && status) status = removed;
    (void)env_->RemoveFile(last->index_path());
    dir_needs_sync_ = true;
  }
  if (!status) return status;
  // Cut what was written after the last acknowledged record, durably, before new frames
  // reuse those offsets.
  if (auto truncated = keep->writer()->RewindToCommitted(); !truncated) return truncated;
  if (dir_needs_sync_) {
    if (auto synced = env_->SyncDir(dir_); !synced) return synced;
    dir_needs_sync_ = false;
  }
  return Ok();
}

void ShardWriter::Tick() {
  auto now = std::chrono::steady_clock::now();
  if (unsynced_ && options_.durability == DurabilityPolicy::kInterval &&
      now - last_sync_ >= std::chrono::milliseconds(options_.sync_interval_ms)) {
    if (auto status = SyncAllOpen(); !status) {
      // The data was acknowledged already: refuse further appends until reopened.
      std::lock_guard lock(mu_);
      if (!failure_) failure_ = Annotate(status.error());
    }
  }
  SealCompleted();
  if (options_.retention_check_interval_ms > 0 &&
      now - last_retention_ >= std::chrono::milliseconds(options_.retention_check_interval_ms)) {
    last_retention_ = now;
    (void)EnforceRetention();  // errors are retried at the next check
  }
}

Status ShardWriter::SyncForClose() {
  SLUICE_ASSERT(inflight_ == nullptr && written_.empty(), "closing with writes in flight");
  SealCompleted();
  if (auto status = SyncAllOpen(); !status) return Fail(Annotate(status.error()));
  std::shared_ptr<Segment> last = segments_->Back();
  if (last != nullptr && last->writer() != nullptr) last->writer()->FlushIndex();
  if (!to_seal_.empty()) {
    return Fail(ErrorCode::kUnavailable,
                "shard log '" + options_.name + "': a complete segment could not be sealed");
  }
  return Ok();
}

}  // namespace sluice::storage
