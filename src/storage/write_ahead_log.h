#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "storage/env.h"

namespace sluice::storage {

// One write to a segment file that the write-ahead log makes durable in its place. The
// path and bytes must stay valid until the Append returns.
struct LoggedWrite {
  std::string_view path;
  uint64_t offset = 0;
  std::string_view bytes;
};

// Logged writes held back from their files (SegmentTail). A checkpoint has them written
// out before it syncs the file system and retires the entries that logged them.
class DeferredWrites {
 public:
  virtual ~DeferredWrites() = default;
  // Writes everything held back to its file (no sync); from any thread.
  [[nodiscard]] virtual Status WriteOut() = 0;
};

struct WriteAheadLogOptions {
  // Size of each of the two log files. A flush cycle larger than this (less a header)
  // cannot go through the log and syncs its segment files instead.
  uint64_t file_bytes = uint64_t{64} << 20;
  // Logged bytes after which the checkpoint thread syncs the file system, so that the
  // segment files reach the disk steadily rather than all at once when a file fills.
  // Each sync is a burst the log's own fdatasyncs queue behind: at 110 MB/s logged, the
  // p99 of put -> visible was 5.5 ms with 4 MiB, 4.0 ms with 2 MiB, 4.3 ms with 1 MiB
  // and worse again with 512 KiB (more device flushes); 32 MiB made it 15 ms.
  uint64_t checkpoint_bytes = uint64_t{2} << 20;
};

// The write-ahead log of one data folder (DESIGN.md §3): a redo log of segment writes.
// Instead of syncing every segment file a flush cycle wrote (one file-system journal
// entry and one extent per shard), the cycle's writes are appended to the log as one
// entry with one write and one fdatasync; the segment files reach the disk later. Its
// files live in `<root>/wal`; entries name files relative to `root`, so the folder may
// move between runs.
//
// Two files take turns. When the active one is full the other becomes active and a
// checkpoint thread syncs the file system (every segment write logged in the full file
// is then durable in its segment) and retires the full file. Appends wait if the other
// file's checkpoint has not finished. Only writes to files on the log's file system may
// be logged (file_system_id): a checkpoint syncs that one alone.
//
// A logged write may reach its file later than its entry is synced (DeferredWrites): the
// next checkpoint that retires a file writes out every deferral handed over (Defer)
// before it syncs the file system.
//
// On open, the entries of both files are applied again in order (they are idempotent:
// each writes bytes a segment file already has or lost), to files that still exist:
// a segment removed since (retention, a deleted stream) stays removed, which is why the
// shard logs make a new segment's file durable before logging writes to it. A torn or
// corrupt entry ends its file's replay.
//
// A failed write or sync, of an append or a checkpoint, stops the log for good: nothing
// is retired any more, so the next open replays every entry, the failed one included
// (its records were not acknowledged; they may reappear, whole). The caller must then
// acknowledge nothing more in this folder until the server restarts, since a later
// append could reuse the positions of the failed entry, which the replay would
// overwrite.
//
// Thread-safety: Append from any thread (serialized inside).
class WriteAheadLog {
 public:
  // Replays what the files in `<root>/wal` hold into the files they name, makes that
  // durable, and starts with both files retired. Creates the folder and files if missing.
  [[nodiscard]] static Result<std::unique_ptr<WriteAheadLog>> Open(
      Env* env, std::string root, WriteAheadLogOptions options = {});
  // Waits for a running checkpoint.
  ~WriteAheadLog();
  WriteAheadLog(const WriteAheadLog&) = delete;
  WriteAheadLog& operator=(const WriteAheadLog&) = delete;

  // Whether Append would take `writes` (as one entry, with the log running or not): every
  // path inside the root, and the entry no larger than a file.
  bool CanLog(std::span<const LoggedWrite> writes) const;
  // The bytes of an entry holding `writes`, and the most an entry may take.
  static uint64_t EntryBytes(std::span<const LoggedWrite> writes);
  uint64_t entry_capacity() const;
  // Appends `writes` as one entry and syncs it. A disk failure stops the log (status()
  // fails from then on). Changing nothing and leaving the log running: kResourceExhausted
  // if the entry cannot fit in one file, kInvalidArgument for a path outside the root.
  [[nodiscard]] Status Append(std::span<const LoggedWrite> writes);
  // Hands `writes` to the next checkpoint that retires a file. Give it before the writes
  // it holds back are appended; cheap, never waits for the disk.
  void Defer(std::shared_ptr<DeferredWrites> writes);
  // Ok while the log runs; once it has stopped, why (kInternal).
  [[nodiscard]] Status status() const;
  // The file system the log is on (WritableFile::FileSystemId).
  uint64_t file_system_id() const { return file_system_id_; }
  // What Open applied, and what it skipped because the file was gone.
  uint64_t replayed_writes() const { return replayed_writes_; }
  uint64_t skipped_writes() const { return skipped_writes_; }

 private:
  struct File {
    std::unique_ptr<WritableFile> file;
    std::string path;
    uint64_t salt = 0;           // of the current run; entries carry it
    bool checkpointing = false;  // guarded by mu_: retired by the checkpoint thread
  };

  WriteAheadLog(Env* env, std::string root, WriteAheadLogOptions options);
  [[nodiscard]] Status OpenFiles();
  [[nodiscard]] Status Replay();
  // Starts `file` afresh: new salt, header written at the next append. Requires mu_.
  void StartRun(File& file);
  // Switches to the other file once its checkpoint is done, checkpointing this one.
  [[nodiscard]] Status SwitchFiles(std::unique_lock<std::mutex>& lock);
  void RunCheckpoints();
  // Writes out what was deferred so far; the first failure.
  [[nodiscard]] Status WriteOutDeferred();
  [[nodiscard]] static Status Retire(File& file);
  void Stop(const Error& cause);  // requires mu_
  // `path` relative to the root, or nullopt if it is not inside it.
  std::optional<std::string_view> RelativePath(std::string_view path) const;

  Env* const env_;
  const std::string root_;
  const std::string dir_;
  const WriteAheadLogOptions options_;
  uint64_t file_system_id_ = 0;
  uint64_t replayed_writes_ = 0;
  uint64_t skipped_writes_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::array<File, 2> files_;
  size_t active_ = 0;             // guarded by mu_
  uint64_t write_offset_ = 0;     // guarded by mu_: 0 means the header is still to be written
  uint64_t next_lsn_ = 1;         // guarded by mu_
  uint64_t unsynced_bytes_ = 0;   // guarded by mu_: logged since the last checkpoint started
  std::optional<Error> failure_;  // guarded by mu_: set once the log has stopped
  bool closing_ = false;          // guarded by mu_
  std::string entry_heads_;       // guarded by mu_: reused encoding buffers
  std::vector<std::string_view> entry_pieces_;  // guarded by mu_
  std::vector<LoggedWrite> relative_;           // guarded by mu_: the writes being encoded
  std::mutex deferred_mu_;
  std::vector<std::shared_ptr<DeferredWrites>> deferred_;  // guarded by deferred_mu_
  std::thread checkpointer_;
};

}  // namespace sluice::storage
