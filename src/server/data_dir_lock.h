#pragma once

#include <filesystem>
#include <memory>

#include "common/result.h"

namespace sluice::server {

// An exclusive lock on a data folder (flock on <data-dir>/LOCK), held for the life of the
// object, so that two servers never write the same shard logs and meta.db. The kernel
// releases it if the process dies.
class DataDirLock {
 public:
  // kFailedPrecondition when another process holds the folder.
  [[nodiscard]] static Result<std::unique_ptr<DataDirLock>> Acquire(
      const std::filesystem::path& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sluice::server
