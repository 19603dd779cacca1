#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "storage/env.h"
#include "storage/write_ahead_log.h"

namespace sluice::storage {

class Flusher;

// What the flusher drives: one shard log's writer. FlushCycle, FinishCycle and Tick run on
// the flusher thread only.
class FlushClient {
 public:
  // Moves the client's group commit on: takes a finished sync, writes what was appended
  // since the last cycle, starts the next sync.
  virtual void FlushCycle() = 0;
  // After the cycle's syncs were handed over (and its logged ones made durable):
  // completes what the syncs done by now made durable, so that the next sync does not
  // wait for the completions.
  virtual void FinishCycle() = 0;
  // Periodic work (about every tick): interval syncs, seals, retention.
  virtual void Tick() = 0;

 protected:
  ~FlushClient() = default;

 private:
  friend class Flusher;
  std::atomic<bool> queued_{false};  // in the flusher's queue; cleared before FlushCycle
};

// Work a client hands to the flusher's write-behind thread (Flusher::WriteBehind), so that
// it is done off the flusher thread. Best effort: what fails is left to the client's next
// write, which reports it.
class BackgroundWrite {
 public:
  virtual void WriteBehind() = 0;

 protected:
  ~BackgroundWrite() = default;
};

// A flush cycle's way to the disk, handed to the flusher: an entry of its write-ahead log
// (`writes`), appended by the flusher thread at the end of the cycle, or fdatasyncs run
// by a sync thread while the flusher writes the next batch. Owned by the client until
// done.
struct SyncJob {
  std::vector<WritableFile*> files;  // synced in order; must stay open until done
  Env* env = nullptr;                // with `dir`: the folder synced after the files
  std::string dir;
  // The writes behind `files`, when the flusher's write-ahead log makes them durable
  // instead of syncing the files (Flusher::CanLog). The files need not hold them yet
  // (SegmentWriter::WriteBehind).
  std::vector<LoggedWrite> writes;
  FlushClient* client = nullptr;  // gets a FlushCycle when the job is done
  Status status;                  // the first failure; read once done
  bool done = false;              // once submitted, guarded by the flusher's mutex

  // Goes through the write-ahead log, on the flusher thread (the job carries writes);
  // otherwise a sync thread syncs its files and queues `client`.
  bool logged() const { return !writes.empty(); }
  // Empties the job for another sync, keeping its vectors' storage.
  void Clear();
};

// Notifications gathered over the appends of one request to several shards and given
// to the flusher together when this goes out of scope (Flusher::NotifyAll): the request's
// shards then reach the disk in one cycle rather than in the first ones' cycle and the
// next. Not thread-safe; one per request.
class FlushNotices {
 public:
  // Room for `expected` notices without growing.
  FlushNotices(Flusher* flusher, size_t expected) : flusher_(flusher) {
    clients_.reserve(expected);
  }
  ~FlushNotices();
  FlushNotices(const FlushNotices&) = delete;
  FlushNotices& operator=(const FlushNotices&) = delete;

  // Notifies `client`'s flusher now if it is not this one's.
  void Add(Flusher* flusher, FlushClient* client);

 private:
  Flusher* const flusher_;
  std::vector<FlushClient*> clients_;
};

struct FlusherOptions {
  int64_t tick_ms = 10;  // how often Tick runs on every registered client
  // Threads issuing fdatasync. Shards sync in parallel, so a request spread over several
  // shards waits for about one sync, not one per shard (the file system merges concurrent
  // syncs into one journal commit).
  int sync_threads = 4;
  // When at least this many shards wait for a sync, a sync thread takes them all and
  // makes them durable with one file-system sync (syncfs: one device flush instead of one
  // per shard). Streams with many busy shards gain most. 0: always one fdatasync per file.
  size_t batch_sync_min_jobs = 4;
};

// The flusher of one data folder (DESIGN.md §4): its thread takes everything appended to
// its shard logs since the last cycle and writes it, makes it durable, then resumes every
// append waiting on it (group commit). With a write-ahead log the thread appends one log
// entry for all the shards of the cycle itself and completes them right after; what
// arrives meanwhile waits for the next cycle. Without one (and for the cycles the log
// cannot take), its sync threads run one fdatasync per dirty file, or one syncfs, while
// the thread writes the next batch. Append completion callbacks run on the flusher
// thread.
//
// Thread-safety: thread-safe but for SubmitSync and WaitSync (flusher thread only). It must
// outlive the shard logs using it.
class Flusher {
 public:
  // With `log`, sync jobs that carry their writes go through it (WriteAheadLog).
  [[nodiscard]] static Result<std::unique_ptr<Flusher>> Start(
      FlusherOptions options = {}, std::unique_ptr<WriteAheadLog> log = nullptr);
  // Stops and joins the threads; every client must have unregistered (asserted).
  ~Flusher();
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  void Register(FlushClient* client);
  // After it returns the flusher no longer touches `client`; the client must have no
  // sync job in flight. Blocks until a running cycle ends; not on the flusher thread.
  void Unregister(FlushClient* client);
  // Asks for a FlushCycle of `client` soon. Cheap, never blocks on the disk.
  void Notify(FlushClient* client);
  // Notify for several clients at once (one lock), so that one cycle takes them together.
  void NotifyAll(std::span<FlushClient* const> clients);
  // Flusher thread: queues `job`. At the end of the cycle the jobs that carry writes go
  // into the write-ahead log together, as one entry, on the flusher thread (done before
  // the cycle's FinishCycle: two thread hand-offs fewer between a record and its
  // acknowledgement); the others reach the sync threads together, so that the shards of
  // one cycle share one file-system sync, and a sync thread queues job->client when done.
  void SubmitSync(SyncJob* job);
  // Whether `job` is done (then its status may be read).
  bool SyncDone(const SyncJob* job) const;
  // Flusher thread: blocks until `job`, submitted in an earlier cycle, is done.
  void WaitSync(const SyncJob* job) const;
  // Sync jobs submitted and not yet taken by a sync thread.
  size_t queued_sync_jobs() const;
  // Runs `task` on the flusher thread between cycles and returns its status. Blocks;
  // must not be called on the flusher thread.
  [[nodiscard]] Status RunOnFlusherThread(std::function<Status()> task);
  bool OnFlusherThread() const;
  // Whether sync jobs should carry their writes (SyncJob::writes).
  bool has_write_ahead_log() const { return log_ != nullptr; }
  // Whether the log takes a job with these files and writes: the files on its file
  // system, the writes in one entry (WriteAheadLog::CanLog). Without a log, false.
  bool CanLog(std::span<WritableFile* const> files, std::span<const LoggedWrite> writes) const;
  // Has `write` run soon on the write-behind thread (a segment tail's full block written to
  // its file: copying into the page cache can take a millisecond that the flusher thread
  // would otherwise spend before its next cycle). Cheap; never waits for the disk.
  // Requires a log.
  void WriteBehind(std::shared_ptr<BackgroundWrite> write);
  // Hands held-back writes to the log's next retiring checkpoint (WriteAheadLog::Defer).
  // Requires a log.
  void DeferToCheckpoint(std::shared_ptr<DeferredWrites> writes);
  // Ok without a log or while it runs; once it has stopped, why (no sync succeeds then).
  [[nodiscard]] Status write_ahead_log_status() const {
    return log_ != nullptr ? log_->status() : Ok();
  }

 private:
  struct Task {
    std::function<Status()> run;
    Status status;
    bool done = false;
  };

  Flusher(FlusherOptions options, std::unique_ptr<WriteAheadLog> log);
  void Run();
  void RunSyncs();
  void RunWriteBehind();
  // Appends the submitted jobs that carry writes to the write-ahead log and marks them
  // done; leaves the others in submitted_. Flusher thread, with a log.
  void LogSubmitted();
  // Whether a sync thread takes all queued jobs at once. Requires mu_.
  bool BatchSyncsLocked() const;
  // Takes the jobs a sync thread runs next: all of them when batching pays. Requires mu_.
  std::vector<SyncJob*> TakeSyncJobsLocked();
  // Syncs the files of `jobs` and returns each one's status.
  std::vector<Status> RunSyncJobs(const std::vector<SyncJob*>& jobs);
  // Appends the writes of `jobs` to the write-ahead log, as few entries as fit. Fails once
  // the log has stopped, or if it refused an entry.
  [[nodiscard]] Status LogWrites(const std::vector<SyncJob*>& jobs);
  static Status RunSyncJob(const SyncJob& job);
  // syncfs on every file system the jobs' files are on; false if one fails.
  static bool SyncFileSystems(const std::vector<SyncJob*>& jobs);
  void QueueLocked(FlushClient* client);  // requires mu_
  // Logs or hands to the sync threads the jobs submitted since the last call. Flusher
  // thread.
  void PublishSyncs();

  const FlusherOptions options_;
  const std::unique_ptr<WriteAheadLog> log_;  // may be null
  mutable std::mutex mu_;
  std::condition_variable wake_cv_;               // work for the flusher thread
  std::condition_variable idle_cv_;               // an iteration (or a task) finished
  std::condition_variable sync_cv_;               // work for the sync threads
  mutable std::condition_variable sync_done_cv_;  // a sync job finished
  std::vector<FlushClient*> registered_;          // guarded by mu_
  std::vector<FlushClient*> queue_;               // guarded by mu_
  std::deque<Task*> tasks_;                       // guarded by mu_
  std::deque<SyncJob*> sync_jobs_;                // guarded by mu_
  bool running_iteration_ = false;                // guarded by mu_
  bool stop_ = false;                             // guarded by mu_
  std::vector<SyncJob*> submitted_;               // flusher thread only: not yet published
  std::vector<SyncJob*> logging_;                 // flusher thread only: LogSubmitted's
  std::vector<LoggedWrite> entry_writes_;         // flusher thread only: LogWrites'

  std::thread thread_;
  std::vector<std::thread> sync_threads_;
  std::mutex write_behind_mu_;
  std::condition_variable write_behind_cv_;
  std::vector<std::shared_ptr<BackgroundWrite>> write_behind_;  // guarded by write_behind_mu_
  bool write_behind_stop_ = false;                              // guarded by write_behind_mu_
  std::thread write_behind_thread_;
};

}  // namespace sluice::storage
