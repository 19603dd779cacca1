#pragma once

#include "storage/env.h"

namespace sluice::storage {

// Env on the local POSIX file system: pread/pwrite, fdatasync, fallocate (Linux),
// ftruncate. Stateless and thread-safe.
class PosixEnv final : public Env {
 public:
  // The process-wide instance; never destroyed.
  static PosixEnv* Default();

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path,
                                                     OpenMode mode) override;
  Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
};

// The Error for a failed system call: `errno_value` decides the code (ENOSPC/EDQUOT →
// kResourceExhausted, ENOENT → kNotFound, EEXIST → kAlreadyExists, EIO → kUnavailable,
// else kInternal); the message names the file by its base name only.
Error PosixError(std::string_view path, std::string_view operation, int errno_value);

}  // namespace sluice::storage
