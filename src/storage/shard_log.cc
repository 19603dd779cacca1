#include "storage/shard_log.h"

#include <condition_variable>
#include <mutex>

#include "common/assert.h"
#include "storage/log_recovery.h"

namespace sluice::storage {

ShardLog::ShardLog(Env* env, Flusher* flusher, std::string dir, ShardLogOptions options)
    : env_(env),
      flusher_(flusher),
      dir_(std::move(dir)),
      options_(std::move(options)),
      segments_(std::make_unique<SegmentSet>()),
      reader_(std::make_unique<LogReader>(segments_.get(), options_.name, options_.keys)) {}

Result<std::unique_ptr<ShardLog>> ShardLog::Open(Env* env, Flusher* flusher, std::string dir,
                                                 ShardLogOptions options) {
  if (auto status = ValidateOptions(options); !status) return Fail(status.error());
  auto recovered = LogRecovery::Run(env, dir, options);
  if (!recovered) return Fail(recovered.error());
  auto log =
      std::unique_ptr<ShardLog>(new ShardLog(env, flusher, std::move(dir), std::move(options)));
  log->damage_ = std::move(recovered->damage);
  log->recovery_scanned_bytes_ = recovered->scanned_bytes;
  log->segments_->Reset(std::move(recovered->segments), recovered->tail_position);
  log->writer_ = std::make_unique<ShardWriter>(env, log->dir_, log->options_, flusher,
                                               log->segments_.get(), recovered->last_arrival_ms);
  flusher->Register(log->writer_.get());
  return log;
}

ShardLog::~ShardLog() { (void)Close(); }

Result<AppendResult> ShardLog::AppendBatch(std::span<const RecordInput> records) {
  SLUICE_ASSERT(!flusher_->OnFlusherThread(), "AppendBatch on the flusher thread would deadlock");
  struct Completion {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Result<AppendResult> result;
  } completion;
  Status status = writer_->Append(records, [&completion](Result<AppendResult> result) {
    std::lock_guard lock(completion.mu);
    completion.result = std::move(result);
    completion.done = true;
    completion.cv.notify_one();  // under the lock: the waiter owns `completion`
  });
  if (!status) return Fail(status.error());
  std::unique_lock lock(completion.mu);
  completion.cv.wait(lock, [&] { return completion.done; });
  return std::move(completion.result);
}

Status ShardLog::AppendAsync(std::span<const RecordInput> records, AppendCallback done,
                             FlushNotices* notices) {
  return writer_->Append(records, std::move(done), notices);
}

Status ShardLog::SetSealKey(std::optional<SealKey> key) {
  return writer_->SetSealKey(std::move(key));
}

Status ShardLog::Read(uint64_t position, const ReadLimits& limits, ReadBatch* batch) const {
  return reader_->Read(position, limits, batch);
}

Result<uint64_t> ShardLog::SeekTime(int64_t timestamp_ms) const {
  return reader_->SeekTime(timestamp_ms);
}

Result<uint64_t> ShardLog::FirstPositionAtOrAfter(uint64_t position) const {
  return reader_->FirstPositionAtOrAfter(position);
}

uint64_t ShardLog::tail_position() const { return segments_->tail_position(); }

uint64_t ShardLog::trim_horizon() const { return segments_->trim_horizon(); }

Status ShardLog::EnforceRetention() {
  {
    std::lock_guard lock(close_mu_);
    if (closed_) {
      return Fail(ErrorCode::kFailedPrecondition, "shard log '" + options_.name + "' is closed");
    }
  }
  return flusher_->RunOnFlusherThread([this] { return writer_->EnforceRetention(); });
}

Status ShardLog::SetRetention(int64_t retention_ms, uint64_t retention_bytes) {
  if (retention_ms < kMinRetentionMs || retention_ms > kMaxRetentionMs) {
    return Fail(ErrorCode::kInvalidArgument, "retention must be between 24 and 8760 hours");
  }
  writer_->set_retention(retention_ms, retention_bytes);
  return Ok();
}

Status ShardLog::Verify() const { return reader_->Verify(); }

Status ShardLog::Close() {
  std::lock_guard lock(close_mu_);
  if (closed_) return Ok();
  closed_ = true;
  SLUICE_ASSERT(!flusher_->OnFlusherThread(), "Close on the flusher thread would deadlock");
  writer_->StopAndDrain();
  flusher_->Unregister(writer_.get());
  // The flusher has let go: this thread may use the segment files now.
  Status status = writer_->SyncForClose();
  for (const std::shared_ptr<Segment>& segment : segments_->Snapshot()) segment->ReleaseWriter();
  return status;
}

Status ShardLog::Destroy(Env* env, const std::string& dir) {
  auto names = env->ListDir(dir);
  if (!names) return names.error().code == ErrorCode::kNotFound ? Ok() : Fail(names.error());
  for (const std::string& name : *names) {
    if (auto status = env->RemoveFile(JoinPath(dir, name)); !status) return status;
  }
  return env->RemoveDir(dir);
}

}  // namespace sluice::storage
