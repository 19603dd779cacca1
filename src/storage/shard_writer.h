#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/chunk_pool.h"
#include "storage/env.h"
#include "storage/flusher.h"
#include "storage/log_options.h"
#include "storage/record.h"
#include "storage/seal.h"
#include "storage/segment_set.h"
#include "storage/segment_writer.h"

namespace sluice::storage {

// Called once per accepted append, on the flusher thread, when the batch is durable
// under the shard's policy (or failed). It must not block on the shard log (no
// AppendBatch, no Close); post to your own executor instead.
using AppendCallback = std::function<void(Result<AppendResult>)>;

// The write side of one shard log. Appenders encode frames into shared chunks under one
// short lock (no I/O there); the flusher thread writes the chunks and hands their
// fdatasync to the flusher's sync thread, writing the next chunks meanwhile; when a sync
// is done it completes the appends it covers (group commit). With the flusher's
// write-ahead log the chunks go to their segment's tail (SegmentTail) and the sync is a
// log entry, which the flusher appends before the cycle's FinishCycle; a cycle the log
// cannot take writes the tails out and syncs the files.
// After a failed write or sync it rewinds to the last acknowledged record: every
// unacknowledged append fails, positions are reused, and the log stays writable (a full
// disk clears when space returns).
//
// With a seal key set, each batch is encoded as sealed frames (AES-256-GCM, under the
// append lock): one per batch, or one per chunk_bytes of record frames when the batch is
// larger (a record larger than that alone).
//
// Thread-safety: Append, SetSealKey, StopAndDrain, set_retention and stats from any
// thread; the FlushClient methods and EnforceRetention on the flusher thread;
// SyncForClose once the flusher let go (after Flusher::Unregister).
class ShardWriter final : public FlushClient {
 public:
  struct Stats {
    uint64_t cycles = 0;         // flush cycles that wrote something
    uint64_t syncs = 0;          // fdatasync calls on segment files
    uint64_t rewinds = 0;        // failures rolled back
    uint64_t bytes_written = 0;  // frame bytes written to segment files
  };

  // Takes over the recovered state in `segments`, whose last segment has its writer.
  ShardWriter(Env* env, std::string dir, const ShardLogOptions& options, Flusher* flusher,
              SegmentSet* segments, int64_t last_arrival_ms);
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // Validates and encodes `records` as one batch and queues it; `done` runs later. Never
  // touches the disk. On error `done` is not called.
  // With `notices`, the flusher hears of it when they go out of scope.
  [[nodiscard]] Status Append(std::span<const RecordInput> records, AppendCallback done,
                              FlushNotices* notices = nullptr);
  // Appends accepted after this returns are sealed under `key`; nullopt: plain again.
  [[nodiscard]] Status SetSealKey(std::optional<SealKey> key);

  // Refuses new appends and waits until every queued one has completed.
  void StopAndDrain();
  // Syncs and seals what the policy left pending, at close.
  [[nodiscard]] Status SyncForClose();

  // Flusher thread: deletes expired segments (and rolls an idle expired one first).
  [[nodiscard]] Status EnforceRetention();
  void set_retention(int64_t retention_ms, uint64_t retention_bytes);

  Stats stats() const;

  void FlushCycle() override;
  void FinishCycle() override;
  void Tick() override;

 private:
  struct Waiter {
    uint64_t end_position;
    AppendResult result;
    AppendCallback done;
  };
  // One step of the queue the flusher works through in order: write a chunk, or create
  // the next segment (a roll; `rolled_from` is set once it is created).
  struct FlushOp {
    std::unique_ptr<WriteChunk> chunk;
    std::shared_ptr<Segment> roll_to;
    std::shared_ptr<Segment> rolled_from;
  };
  // Written ops on their way to the disk: logged by the flusher thread (job.writes), or
  // synced by a sync thread. Reused from sync to sync (Recycle), with its vectors' capacity.
  struct Inflight {
    SyncJob job;
    std::vector<FlushOp> ops;
    std::vector<std::pair<SegmentWriter*, uint64_t>> synced_writes;
  };

  // One sealed frame of a batch: the records from the previous piece's end to `end`.
  struct SealedPiece {
    size_t end = 0;
    size_t plain_bytes = 0;  // their record frames
    std::array<char, kSealNonceBytes> nonce{};
  };

  // Append side. The bytes of the batch's record frames, or why it is refused.
  [[nodiscard]] Result<uint64_t> ValidateBatch(std::span<const RecordInput> records) const;
  // mu_ held from here on.
  void MaybeRoll(uint64_t batch_bytes, int64_t arrival_ms);
  // Cuts a batch into sealed frames (into `pieces`, drawing their nonces); returns the
  // bytes they take.
  [[nodiscard]] Result<uint64_t> PlanSealed(std::span<const RecordInput> records,
                                            std::vector<SealedPiece>& pieces) const;
  void EncodeSealed(std::span<const RecordInput> records, std::span<const SealedPiece> pieces,
                    int64_t arrival_ms);
  void EncodeRecord(const RecordInput& record, int64_t arrival_ms);
  // Where the next frame, of `frame_bytes`, goes: in the current chunk or a new one; adds
  // its index entry when one is due.
  char* ReserveFrame(size_t frame_bytes, int64_t arrival_ms);
  // Accounts for the frame just written where ReserveFrame said.
  void AdvanceFrame(size_t frame_bytes, uint32_t record_count, int64_t arrival_ms);
  void CloseCurrentChunk();
  bool DrainedLocked() const;

  // Flusher side.
  [[nodiscard]] Status WriteOps(std::vector<FlushOp>& ops);
  // Hands what was written since the last sync to a sync thread.
  [[nodiscard]] Status StartSync();
  // Commits a finished sync's ops, or rewinds if it failed (then returns false).
  bool Complete(std::unique_ptr<Inflight> inflight);
  // Keeps a completed sync's Inflight, emptied, for the next StartSync.
  void Recycle(std::unique_ptr<Inflight> inflight);
  void CommitWithoutSync();
  [[nodiscard]] Status SyncAllOpen();
  void Commit(std::vector<FlushOp>& ops);
  void Rewind(const Error& error, bool fail_stop);
  // Removes the segments after `keep` and cuts `keep` at its committed end.
  [[nodiscard]] Status DropUncommittedFiles(const std::shared_ptr<Segment>& keep);
  void FailQueued();
  void SealCompleted();
  [[nodiscard]] Status CreateSegmentFiles(Segment& segment);
  void RollIdleExpired(int64_t cutoff_ms, int64_t now_ms);
  void RecycleOps(std::vector<FlushOp>& ops);
  Error Annotate(const Error& error) const;

  Env* const env_;
  const std::string dir_;
  const ShardLogOptions options_;
  Flusher* const flusher_;
  SegmentSet* const segments_;
  ChunkPool pool_;
  // Record frame bytes per sealed frame (a record larger than that goes alone).
  const size_t seal_plain_bytes_;
  std::atomic<int64_t> retention_ms_;
  std::atomic<uint64_t> retention_bytes_;

  mutable std::mutex mu_;  // the append lock
  std::condition_variable drained_cv_;
  // Guarded by mu_:
  bool closed_ = false;
  std::optional<Error> failure_;        // set: the log refuses appends until reopened
  std::unique_ptr<SealCipher> sealer_;  // set: appends are sealed under its key
  uint64_t next_position_;
  uint64_t committed_position_;  // one past the last acknowledged record
  int64_t last_arrival_ms_;
  std::shared_ptr<Segment> active_;  // where new frames go (maybe not created yet)
  uint64_t write_offset_;            // end of the encoded frames in active_
  std::optional<uint64_t> last_index_offset_;
  std::unique_ptr<WriteChunk> current_;
  std::vector<FlushOp> ops_;
  std::deque<Waiter> waiters_;
  uint64_t pending_bytes_ = 0;

  // Flusher thread only:
  std::vector<FlushOp> written_;                   // written, not yet handed to a sync
  std::unique_ptr<Inflight> inflight_;             // at most one sync in flight
  std::unique_ptr<Inflight> finished_;             // synced, completed by this cycle's FinishCycle
  std::vector<std::shared_ptr<Segment>> to_seal_;  // rolled, complete, not sealed yet
  bool dir_needs_sync_ = false;
  bool unsynced_ = false;  // kInterval/kNone: acknowledged data not yet synced
  std::chrono::steady_clock::time_point last_sync_;
  std::chrono::steady_clock::time_point last_retention_;
  std::vector<Waiter> completed_;
  // Emptied Inflights for the next StartSyncs: one in flight, one finished and not yet
  // completed when the next starts.
  std::vector<std::unique_ptr<Inflight>> spares_;
  std::vector<FlushOp> taken_;     // a cycle's ops, taken from ops_ (keeps its capacity)
  std::vector<Segment*> touched_;  // Commit's scratch

  std::atomic<uint64_t> cycles_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> rewinds_{0};
  std::atomic<uint64_t> bytes_written_{0};
};

// kInvalidArgument if `record` is over the storage limits (frame.h).
[[nodiscard]] Status ValidateRecord(const RecordInput& record);

}  // namespace sluice::storage
