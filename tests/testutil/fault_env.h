#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/env.h"

namespace sluice::testutil {

// An Env that forwards to another one (usually a MemEnv) and injects faults (after
// leveldb's fault_injection_test): failed fsyncs, a full disk, short reads, torn writes,
// and power loss, which undoes writes not yet synced (each kept, dropped or torn at a
// random byte). Thread-safe. `base` must outlive it.
class FaultEnv final : public storage::Env {
 public:
  enum class Op { kOpen, kWrite, kSync, kAllocate, kTruncate, kRead, kSyncDir, kRemove, kRename };
  // Runs before every operation, on the calling thread; it may block (to hold a sync
  // while a test looks at the log) or count.
  using Hook = std::function<void(Op op, const std::string& path)>;

  explicit FaultEnv(storage::Env* base);
  FaultEnv(const FaultEnv&) = delete;
  FaultEnv& operator=(const FaultEnv&) = delete;

  // The next `count` file Syncs fail with `code` (an EIO-like kUnavailable by default),
  // like a failed fdatasync: the data may or may not be on disk.
  void FailSyncs(int count, ErrorCode code = ErrorCode::kUnavailable);
  // The same for the next `count` file-system syncs (syncfs) only; file syncs succeed.
  void FailFileSystemSyncs(int count);
  // Writes and allocations that would take the files' total size past `bytes` fail with
  // kResourceExhausted and change nothing; nullopt: no limit.
  void SetSpaceLimit(std::optional<uint64_t> bytes);
  // Reads return about a third of what was asked (at least one byte).
  void SetShortReads(bool on);
  // Nothing is in the page cache: ReadCachedAt returns 0 (ReadAt still reads).
  void SetUncached(bool on);
  // The next write to a file whose path ends with `path_suffix` stores only its first
  // `keep_bytes` bytes, then fails.
  void TearNextWrite(size_t keep_bytes, std::string path_suffix = "");
  // From now on every mutation fails, as if the process died: nothing more reaches the
  // files. Reads still work.
  void Freeze();
  // Power loss: every write not followed by a successful Sync of its file is kept,
  // dropped or torn (kept up to a random byte), chosen by `seed`. Unfreezes.
  void SimulatePowerLoss(uint64_t seed);
  void SetHook(Hook hook);

  uint64_t sync_count() const { return syncs_.load(); }
  uint64_t file_system_sync_count() const { return file_system_syncs_.load(); }
  uint64_t bytes_read() const { return bytes_read_.load(); }
  uint64_t used_bytes() const;

  Result<std::unique_ptr<storage::WritableFile>> OpenWritable(const std::string& path,
                                                              storage::OpenMode mode) override;
  Result<std::unique_ptr<storage::ReadableFile>> OpenReadable(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;

 private:
  friend class FaultWritableFile;
  friend class FaultReadableFile;

  // A write since the last successful sync of its file, with what it replaced.
  struct Undo {
    uint64_t sequence = 0;  // order of the writes, for syncs running beside them
    uint64_t offset = 0;
    std::string old_bytes;  // previous contents of [offset, offset + old_bytes.size())
    uint64_t length = 0;
  };
  struct FileState {
    uint64_t usage = 0;  // bytes the file takes (size or reserved end)
    std::vector<Undo> unsynced;
  };

  Status Before(Op op, const std::string& path);
  Status Mutation(Op op, const std::string& path);
  // Space check and usage update for growing `path` to `end` bytes.
  Status Reserve(const std::string& path, uint64_t end);

  storage::Env* const base_;
  mutable std::mutex mu_;
  Hook hook_;                                       // guarded by mu_
  std::map<std::string, FileState> files_;          // guarded by mu_
  int failing_syncs_ = 0;                           // guarded by mu_
  int failing_file_system_syncs_ = 0;               // guarded by mu_
  ErrorCode sync_error_ = ErrorCode::kUnavailable;  // guarded by mu_
  std::optional<uint64_t> space_limit_;             // guarded by mu_
  std::optional<size_t> tear_next_write_;           // guarded by mu_
  std::string tear_suffix_;                         // guarded by mu_
  bool frozen_ = false;                             // guarded by mu_
  uint64_t next_sequence_ = 1;                      // guarded by mu_
  std::atomic<bool> short_reads_{false};
  std::atomic<bool> uncached_{false};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> file_system_syncs_{0};
  std::atomic<uint64_t> bytes_read_{0};
};

}  // namespace sluice::testutil
