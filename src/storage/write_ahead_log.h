#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
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

struct WriteAheadLogOptions {
  // Size of each of the two log files. A flush cycle larger than this (less a header)
  // cannot go through the log and syncs its segment files instead.
  uint64_t file_bytes = uint64_t{64} << 20;
  // Logged bytes after which the checkpoint thread syncs the file system, so that the
  // segment files reach the disk steadily rather than all at once when a file fills.
  uint64_t checkpoint_bytes = uint64_t{4} << 20;
};

// The write-ahead log of one data folder (DESIGN.md §3): a redo log of segment writes.
// Instead of syncing every segment file a flush cycle wrote (one file-system journal
// entry and one extent per shard), the cycle's writes are appended to the log as one
// entry with one write and one fdatasync; the segment files reach the disk later.
//
// Two files take turns. When the active one is full the other becomes active and a
// checkpoint thread syncs the file system (every segment write logged in the full file
// is then durable in its segment) and retires the full file. Appends wait if the other
// file's checkpoint has not finished. The segment files must be on the log's file
// system.
//
// On open, the entries of both files are applied again in order (they are idempotent:
// each writes bytes a segment file already has or lost), to files that still exist:
// a segment removed since (retention, a deleted stream) stays removed, which is why the
// shard logs make a new segment's file durable before logging writes to it. A torn or
// corrupt entry ends its file's replay.
//
// A failed append stops the log (AppendFailed: the caller syncs its files instead) and
// retires both files so that the failed entry is never replayed.
//
// Thread-safety: Append from any thread (serialized inside).
class WriteAheadLog {
 public:
  // Replays what the files hold into the segment files, makes that durable, and starts
  // with both files retired. Creates `dir` and the files if missing.
  [[nodiscard]] static Result<std::unique_ptr<WriteAheadLog>> Open(
      Env* env, std::string dir, WriteAheadLogOptions options = {});
  // Waits for a running checkpoint.
  ~WriteAheadLog();
  WriteAheadLog(const WriteAheadLog&) = delete;
  WriteAheadLog& operator=(const WriteAheadLog&) = delete;

  // Appends `writes` as one entry and syncs it. Fails (and the log stops) if the disk
  // does; kResourceExhausted, changing nothing, if the entry cannot fit in one file.
  [[nodiscard]] Status Append(std::span<const LoggedWrite> writes);
  // Whether Append still works.
  bool usable() const;
  // Writes applied by Open (for tests and the log line at start).
  uint64_t replayed_writes() const { return replayed_writes_; }

 private:
  struct File {
    std::unique_ptr<WritableFile> file;
    std::string path;
    uint64_t salt = 0;           // of the current run; entries carry it
    bool checkpointing = false;  // guarded by mu_: retired by the checkpoint thread
  };

  WriteAheadLog(Env* env, std::string dir, WriteAheadLogOptions options);
  [[nodiscard]] Status OpenFiles();
  [[nodiscard]] Status Replay();
  // Starts `file` afresh: new salt, header written at the next append. Requires mu_.
  void StartRun(File& file);
  // Switches to the other file once its checkpoint is done, checkpointing this one.
  [[nodiscard]] Status SwitchFiles(std::unique_lock<std::mutex>& lock);
  void RunCheckpoints();
  [[nodiscard]] static Status Retire(File& file);
  void Stop();  // requires mu_

  Env* const env_;
  const std::string dir_;
  const WriteAheadLogOptions options_;
  uint64_t replayed_writes_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::array<File, 2> files_;
  size_t active_ = 0;            // guarded by mu_
  uint64_t write_offset_ = 0;    // guarded by mu_: 0 means the header is still to be written
  uint64_t next_lsn_ = 1;        // guarded by mu_
  uint64_t unsynced_bytes_ = 0;  // guarded by mu_: logged since the last checkpoint started
  bool stopped_ = false;         // guarded by mu_
  bool closing_ = false;         // guarded by mu_
  std::string entry_;            // guarded by mu_: reused encoding buffer
  std::thread checkpointer_;
};

}  // namespace sluice::storage
