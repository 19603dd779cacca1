#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/env.h"
#include "storage/flusher.h"
#include "storage/log_options.h"
#include "storage/log_reader.h"
#include "storage/read_batch.h"
#include "storage/record.h"
#include "storage/seal.h"
#include "storage/segment_set.h"
#include "storage/shard_writer.h"

namespace sluice::storage {

// The durable log of one shard: an append-only series of segment files in one folder
// (format: docs/formats/shard-log.md). Records get consecutive positions from 0; an
// append is acknowledged only once durable under the shard's DurabilityPolicy (by
// default after fdatasync, shared by concurrent appends), and readers see only
// acknowledged records. Under the `sync` policy nothing acknowledged is lost by a crash,
// kill -9, power loss or a full disk; a corrupted record is reported (kDataLoss), never
// returned.
//
// Threads: every method is thread-safe. Appends never touch the disk on the calling
// thread (the flusher does the writing and syncing); reads and seeks read segment files
// on the calling thread without blocking appends. AppendBatch, Close and
// EnforceRetention block and must not run on the flusher thread (for instance inside an
// append callback).
class ShardLog {
 public:
  // Opens the log in `dir`, creating the folder and an empty log if needed, after
  // recovery: the torn tail of the last segment is cut, missing or stale indexes are
  // rebuilt, corruption in complete segments is recorded in damage(). Blocks on the disk.
  // `env` and `flusher` must outlive the log.
  [[nodiscard]] static Result<std::unique_ptr<ShardLog>> Open(Env* env, Flusher* flusher,
                                                              std::string dir,
                                                              ShardLogOptions options);
  // Closes the log (see Close) if it is still open.
  ~ShardLog();
  ShardLog(const ShardLog&) = delete;
  ShardLog& operator=(const ShardLog&) = delete;

  // Appends `records` as one batch at consecutive positions and waits until it is
  // durable under the policy. The records' bytes may be reused once it returns. Errors:
  // kInvalidArgument (a record over the limits in record.h, no record, or a batch over
  // max_pending_bytes), kUnavailable (too much waiting for the disk, an I/O error, or
  // the log failed and must be reopened), kResourceExhausted (disk full),
  // kFailedPrecondition (closed). A failed append stored nothing: later appends reuse
  // its positions.
  [[nodiscard]] Result<AppendResult> AppendBatch(std::span<const RecordInput> records);
  // The same without blocking: copies the records and returns; `done` runs once on the
  // flusher thread when the batch is durable or has failed (it must not block on this
  // log; post to your own executor). If this returns an error, `done` is never called.
  // Does no I/O: safe on an event-loop thread.
  // With `notices`, the flusher hears of the append when they go out of scope (appends
  // of one request to several shards, FlushNotices).
  [[nodiscard]] Status AppendAsync(std::span<const RecordInput> records, AppendCallback done,
                                   FlushNotices* notices = nullptr);

  // Encryption at rest (StartStreamEncryption / StopStreamEncryption): the appends accepted
  // after this returns are stored as sealed batches under `key` (AES-256-GCM, a fresh
  // random nonce per frame), or as plain record frames again with nullopt. Earlier
  // records stay as they were stored, so a log may mix plain and sealed frames under
  // several key ids; reads open them with ShardLogOptions::keys. An append is sealed as
  // one frame, or as several when its frames exceed chunk_bytes. Does no I/O. Errors:
  // kInternal if OpenSSL cannot set up the key.
  [[nodiscard]] Status SetSealKey(std::optional<SealKey> key);

  // Up to `limits` records from `position` on (from the trim horizon if `position` is
  // older) into `batch`, whose buffers are reused. An empty batch at (or past) the tail.
  // At least one record comes back when one is readable, whatever max_bytes says.
  // kDataLoss when the first record to return is corrupt or lost, or is in a sealed batch
  // whose key the resolver does not know or whose authentication fails (records before it
  // are returned first; none of that batch's). Blocks on file reads, usually served by
  // the page cache, unless limits.wait is ReadWait::kCachedOnly (ReadBatch::needs_disk).
  [[nodiscard]] Status Read(uint64_t position, const ReadLimits& limits, ReadBatch* batch) const;
  // The first position whose arrival time is >= `timestamp_ms` (Kinesis AT_TIMESTAMP),
  // or the tail when there is none. Uses the sparse index, then scans at most one index
  // interval.
  [[nodiscard]] Result<uint64_t> SeekTime(int64_t timestamp_ms) const;
  // The first stored position >= `position` (the trim horizon if `position` is older,
  // the tail if it is newer), found through the sparse index and checked on disk.
  [[nodiscard]] Result<uint64_t> FirstPositionAtOrAfter(uint64_t position) const;
  // One past the newest acknowledged record.
  uint64_t tail_position() const;
  // The oldest stored position (retention moves it forward).
  uint64_t trim_horizon() const;

  // Deletes whole segments whose newest record is older than the retention period (and,
  // with a byte cap, the oldest ones while over it). The flusher also does this every
  // retention_check_interval_ms. Blocks.
  [[nodiscard]] Status EnforceRetention();
  // Changes the retention (IncreaseStreamRetentionPeriod); 24 to 8760 hours.
  [[nodiscard]] Status SetRetention(int64_t retention_ms, uint64_t retention_bytes);

  // Reads every stored record and checks checksums and sequence (and, with a key
  // resolver, opens every sealed batch): Ok, or the first kDataLoss. Slow (reads the
  // whole log); for operators and tests.
  [[nodiscard]] Status Verify() const;
  // Corruption found by recovery in complete segments.
  const std::vector<Error>& damage() const { return damage_; }
  // Segment bytes checksummed by recovery when this log was opened.
  uint64_t recovery_scanned_bytes() const { return recovery_scanned_bytes_; }
  ShardWriter::Stats stats() const { return writer_->stats(); }
  size_t segment_count() const { return segments_->Snapshot().size(); }

  // Refuses new appends, waits for the queued ones, syncs what the policy left
  // unsynced, and releases the files. Reads keep working. Idempotent.
  [[nodiscard]] Status Close();

  // Deletes the files of a closed log and its folder.
  [[nodiscard]] static Status Destroy(Env* env, const std::string& dir);

 private:
  ShardLog(Env* env, Flusher* flusher, std::string dir, ShardLogOptions options);

  Env* const env_;
  Flusher* const flusher_;
  const std::string dir_;
  const ShardLogOptions options_;
  std::unique_ptr<SegmentSet> segments_;
  std::unique_ptr<LogReader> reader_;
  std::unique_ptr<ShardWriter> writer_;
  std::vector<Error> damage_;
  uint64_t recovery_scanned_bytes_ = 0;
  std::mutex close_mu_;
  bool closed_ = false;  // guarded by close_mu_
};

}  // namespace sluice::storage
