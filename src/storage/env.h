#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::storage {

// The file-system seam of the storage module (after leveldb's Env): the shard log does
// all its file I/O through these interfaces, so tests can run it on an in-memory file
// system or inject faults (tests/testutil/). PosixEnv (posix_env.h) is the real one.
//
// Errors: a full disk is kResourceExhausted, a missing file kNotFound, an existing one
// kAlreadyExists, an I/O error kUnavailable; messages name the file, not its folder.

// How OpenWritable treats an existing or a missing file.
enum class OpenMode {
  kCreateOrTruncate,  // create, or empty an existing file
  kOpenExisting,      // kNotFound if missing; contents kept
};

// A file open for positional writes. One thread at a time, except that Sync may run on
// another thread concurrently with writes (it then covers at least the writes that
// completed before it started). Every call may block on the disk.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  // Writes all of `data` at `offset`, growing the file as needed. On failure part of
  // `data` may have reached the file.
  [[nodiscard]] virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;
  // WriteAt of the concatenation of `pieces`, without the caller building it (POSIX: one
  // pwritev). This default concatenates.
  [[nodiscard]] virtual Status WriteAtGathered(uint64_t offset,
                                               std::span<const std::string_view> pieces);
  // fdatasync: when Ok, the data written so far and the metadata needed to read it back
  // (the size) survive a crash or power loss.
  [[nodiscard]] virtual Status Sync() = 0;
  // syncfs: when Ok, everything written to any file of this file's file system, with the
  // metadata and directory entries needed to read it back, survives a crash or power
  // loss. One device flush for all of it, however many files were written.
  [[nodiscard]] virtual Status SyncFileSystem() = 0;
  // Names the file system the file is on (files with equal ids share SyncFileSystem).
  virtual uint64_t FileSystemId() const = 0;
  // fallocate: reserves disk space for [offset, offset + length), growing the size to
  // cover it (the new bytes read as zeros), so writes there cannot fail for lack of
  // space. kResourceExhausted when the disk is full. A file system without fallocate
  // support returns Ok and reserves nothing.
  [[nodiscard]] virtual Status Allocate(uint64_t offset, uint64_t length) = 0;
  // A hint: starts writing [offset, offset + length) back to the disk without waiting
  // (sync_file_range), so a later Sync has less left to do. Guarantees nothing.
  virtual void StartWriteback(uint64_t /*offset*/, uint64_t /*length*/) {}
  // A hint: [offset, offset + length) will not be read again soon, so its pages may leave
  // the cache once they are on the disk (posix_fadvise DONTNEED; pages still dirty stay,
  // and so do cached blocks the range does not cover whole).
  // May run on another thread concurrently with writes. Guarantees nothing.
  virtual void DropCache(uint64_t /*offset*/, uint64_t /*length*/) {}
  // Sets the size to `size`, dropping the bytes (and the reserved space) beyond it.
  [[nodiscard]] virtual Status Truncate(uint64_t size) = 0;
  [[nodiscard]] virtual Result<uint64_t> Size() = 0;
};

// Whether a read may wait for the disk, or takes only what is in memory.
enum class ReadWait { kMayWait, kCachedOnly };

// A file open for positional reads. Thread-safe; reads never block writers of the file
// beyond what the file system does.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;

  // Reads up to out.size() bytes at `offset` into `out`, like pread: the count may be
  // short, and 0 means end of file. Use ReadFully to get everything up to end of file.
  [[nodiscard]] virtual Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const = 0;
  // ReadAt of what is in memory only, never waiting for the disk (POSIX: preadv2 with
  // RWF_NOWAIT): the count may be short, and 0 before the end of the file means the byte
  // at `offset` is not in the page cache (the kernel may start reading it). A file not
  // on a disk never waits: this default is ReadAt.
  [[nodiscard]] virtual Result<size_t> ReadCachedAt(uint64_t offset, std::span<char> out) const {
    return ReadAt(offset, out);
  }
  // ReadAt, or ReadCachedAt for ReadWait::kCachedOnly.
  [[nodiscard]] Result<size_t> Read(uint64_t offset, std::span<char> out, ReadWait wait) const {
    return wait == ReadWait::kCachedOnly ? ReadCachedAt(offset, out) : ReadAt(offset, out);
  }
  [[nodiscard]] virtual Result<uint64_t> Size() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  [[nodiscard]] virtual Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path,
                                                                           OpenMode mode) = 0;
  [[nodiscard]] virtual Result<std::unique_ptr<ReadableFile>> OpenReadable(
      const std::string& path) = 0;
  // File and folder names (not paths) directly inside `dir`, in no particular order.
  [[nodiscard]] virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates `dir` and its missing parents, durably (the parents are synced); Ok if it
  // exists.
  [[nodiscard]] virtual Status CreateDirs(const std::string& dir) = 0;
  // Makes the creation, removal and renaming of entries in `dir` durable.
  [[nodiscard]] virtual Status SyncDir(const std::string& dir) = 0;
  [[nodiscard]] virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty folder.
  [[nodiscard]] virtual Status RemoveDir(const std::string& dir) = 0;
  // Atomically replaces `to` with `from`.
  [[nodiscard]] virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
};

// Reads out.size() bytes at `offset`, looping over short reads; returns fewer only when
// the file ends first, or, with ReadWait::kCachedOnly, when the next byte is not in memory.
[[nodiscard]] Result<size_t> ReadFully(const ReadableFile& file, uint64_t offset,
                                       std::span<char> out, ReadWait wait = ReadWait::kMayWait);

// `dir` + "/" + `name`.
std::string JoinPath(std::string_view dir, std::string_view name);

// The last component of `path` (what error messages may show).
std::string_view BaseName(std::string_view path);

}  // namespace sluice::storage
