#include "testutil/mem_env.h"

#include <algorithm>
#include <cstring>

namespace sluice::testutil {

namespace {

using storage::OpenMode;

std::string Parent(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

tl::unexpected<Error> NotFound(const std::string& path) {
  return Fail(ErrorCode::kNotFound, std::string(storage::BaseName(path)) + ": no such file");
}

class MemWritableFile final : public storage::WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<MemEnv::File> file) : file_(std::move(file)) {}

  Status WriteAt(uint64_t offset, std::string_view data) override {
    std::lock_guard lock(file_->mu);
    if (file_->data.size() < offset + data.size()) file_->data.resize(offset + data.size());
    if (!data.empty()) std::memcpy(file_->data.data() + offset, data.data(), data.size());
    return Ok();
  }
  Status Sync() override { return Ok(); }
  Status SyncFileSystem() override { return Ok(); }
  uint64_t FileSystemId() const override { return 0; }
  Status Allocate(uint64_t offset, uint64_t length) override {
    std::lock_guard lock(file_->mu);
    if (file_->data.size() < offset + length) file_->data.resize(offset + length);
    return Ok();
  }
  Status Truncate(uint64_t size) override {
    std::lock_guard lock(file_->mu);
    file_->data.resize(size);
    return Ok();
  }
  Result<uint64_t> Size() override {
    std::lock_guard lock(file_->mu);
    return file_->data.size();
  }

 private:
  std::shared_ptr<MemEnv::File> file_;
};

class MemReadableFile final : public storage::ReadableFile {
 public:
  explicit MemReadableFile(std::shared_ptr<MemEnv::File> file) : file_(std::move(file)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    std::lock_guard lock(file_->mu);
    if (offset >= file_->data.size()) return size_t{0};
    size_t n = std::min<uint64_t>(out.size(), file_->data.size() - offset);
    if (n > 0) std::memcpy(out.data(), file_->data.data() + offset, n);
    return n;
  }
  Result<uint64_t> Size() const override {
    std::lock_guard lock(file_->mu);
    return file_->data.size();
  }

 private:
  std::shared_ptr<MemEnv::File> file_;
};

}  // namespace

bool MemEnv::DirExistsLocked(const std::string& dir) const {
  return dir.empty() || dirs_.count(dir) > 0;
}

Result<std::unique_ptr<storage::WritableFile>> MemEnv::OpenWritable(const std::string& path,
                                                                    OpenMode mode) {
  std::lock_guard lock(mu_);
  if (!DirExistsLocked(Parent(path))) return NotFound(path);
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (mode == OpenMode::kOpenExisting) return NotFound(path);
    it = files_.emplace(path, std::make_shared<File>()).first;
  } else if (mode == OpenMode::kCreateOrTruncate) {
    it->second = std::make_shared<File>();  // handles open on the old file keep it
  }
  return std::make_unique<MemWritableFile>(it->second);
}

Result<std::unique_ptr<storage::ReadableFile>> MemEnv::OpenReadable(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFound(path);
  return std::make_unique<MemReadableFile>(it->second);
}

Result<std::vector<std::string>> MemEnv::ListDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (!DirExistsLocked(dir)) return NotFound(dir);
  std::vector<std::string> names;
  for (const auto& [path, file] : files_) {
    if (Parent(path) == dir) names.push_back(path.substr(dir.size() + 1));
  }
  for (const std::string& sub : dirs_) {
    if (Parent(sub) == dir) names.push_back(sub.substr(dir.size() + 1));
  }
  return names;
}

Status MemEnv::CreateDirs(const std::string& dir) {
  std::lock_guard lock(mu_);
  for (std::string at = dir; !at.empty(); at = Parent(at)) dirs_.insert(at);
  return Ok();
}

Status MemEnv::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (!DirExistsLocked(dir)) return NotFound(dir);
  return Ok();
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (files_.erase(path) == 0) return NotFound(path);
  return Ok();
}

Status MemEnv::RemoveDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return NotFound(dir);
  for (const auto& [path, file] : files_) {
    if (Parent(path) == dir) return Fail(ErrorCode::kFailedPrecondition, "folder not empty");
  }
  dirs_.erase(dir);
  return Ok();
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return NotFound(from);
  std::shared_ptr<File> file = it->second;
  files_.erase(it);
  files_[to] = std::move(file);
  return Ok();
}

Result<std::string> MemEnv::Contents(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFound(path);
  std::lock_guard file_lock(it->second->mu);
  return it->second->data;
}

Status MemEnv::SetContents(const std::string& path, std::string contents) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFound(path);
  std::lock_guard file_lock(it->second->mu);
  it->second->data = std::move(contents);
  return Ok();
}

bool MemEnv::FileExists(const std::string& path) const {
  std::lock_guard lock(mu_);
  return files_.count(path) > 0;
}

}  // namespace sluice::testutil
