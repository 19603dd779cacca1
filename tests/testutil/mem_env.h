#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "storage/env.h"

namespace sluice::testutil {

// An in-memory file system (after leveldb's memenv): files live as long as the env or an
// open handle does. Sync does nothing, as nothing is lost here; FaultEnv on top of it
// simulates what a crash loses. Thread-safe.
class MemEnv final : public storage::Env {
 public:
  MemEnv() = default;
  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  Result<std::unique_ptr<storage::WritableFile>> OpenWritable(const std::string& path,
                                                              storage::OpenMode mode) override;
  Result<std::unique_ptr<storage::ReadableFile>> OpenReadable(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;

  // Test helpers: a file's bytes, replacing them (to corrupt a file), and existence.
  Result<std::string> Contents(const std::string& path) const;
  Status SetContents(const std::string& path, std::string contents);
  bool FileExists(const std::string& path) const;

  struct File {
    std::mutex mu;
    std::string data;  // guarded by mu
  };

 private:
  bool DirExistsLocked(const std::string& dir) const;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<File>> files_;  // guarded by mu_
  std::set<std::string> dirs_;                          // guarded by mu_
};

}  // namespace sluice::testutil
