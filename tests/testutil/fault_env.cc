#include "testutil/fault_env.h"

#include <algorithm>
#include <random>

namespace sluice::testutil {

using storage::OpenMode;

class FaultWritableFile final : public storage::WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::string path, std::unique_ptr<storage::WritableFile> base,
                    std::unique_ptr<storage::ReadableFile> reader)
      : env_(env), path_(std::move(path)), base_(std::move(base)), reader_(std::move(reader)) {}

  Status WriteAt(uint64_t offset, std::string_view data) override {
    if (auto status = env_->Mutation(FaultEnv::Op::kWrite, path_); !status) return status;
    if (auto status = env_->Reserve(path_, offset + data.size()); !status) return status;
    FaultEnv::Undo undo;
    undo.offset = offset;
    undo.length = data.size();
    auto size = reader_->Size();
    if (!size) return Fail(size.error());
    if (offset < *size) {
      undo.old_bytes.resize(std::min<uint64_t>(data.size(), *size - offset));
      auto got = storage::ReadFully(*reader_, offset, undo.old_bytes);
      if (!got) return Fail(got.error());
    }
    std::optional<size_t> tear;
    {
      std::lock_guard lock(env_->mu_);
      const std::string& suffix = env_->tear_suffix_;
      if (path_.size() >= suffix.size() &&
          path_.compare(path_.size() - suffix.size(), suffix.size(), suffix) == 0) {
        tear.swap(env_->tear_next_write_);
      }
    }
    Status status = Ok();
    if (tear) {
      (void)base_->WriteAt(offset, data.substr(0, std::min(*tear, data.size())));
      status = Fail(ErrorCode::kUnavailable,
                    std::string(storage::BaseName(path_)) + ": write failed: injected torn write");
    } else {
      status = base_->WriteAt(offset, data);
    }
    // Recorded once written, so a sync that started earlier does not count as covering it.
    std::lock_guard lock(env_->mu_);
    undo.sequence = env_->next_sequence_++;
    env_->files_[path_].unsynced.push_back(std::move(undo));
    return status;
  }

  Status Sync() override { return SyncWrites(false); }
  Status SyncFileSystem() override { return SyncWrites(true); }
  uint64_t FileSystemId() const override { return base_->FileSystemId(); }

  Status Allocate(uint64_t offset, uint64_t length) override {
    if (auto status = env_->Mutation(FaultEnv::Op::kAllocate, path_); !status) return status;
    if (auto status = env_->Reserve(path_, offset + length); !status) return status;
    return base_->Allocate(offset, length);
  }

  Status Truncate(uint64_t size) override {
    if (auto status = env_->Mutation(FaultEnv::Op::kTruncate, path_); !status) return status;
    if (auto status = base_->Truncate(size); !status) return status;
    std::lock_guard lock(env_->mu_);
    FaultEnv::FileState& state = env_->files_[path_];
    state.usage = size;
    // Undo records past the new end no longer describe the file.
    for (auto it = state.unsynced.begin(); it != state.unsynced.end();) {
      if (it->offset >= size) {
        it = state.unsynced.erase(it);
        continue;
      }
      it->length = std::min<uint64_t>(it->length, size - it->offset);
      if (it->old_bytes.size() > it->length) it->old_bytes.resize(it->length);
      ++it;
    }
    return Ok();
  }

  Result<uint64_t> Size() override { return base_->Size(); }

 private:
  // Makes the writes completed before it durable: this file's, or (whole_file_system)
  // every file's.
  Status SyncWrites(bool whole_file_system) {
    if (auto status = env_->Mutation(FaultEnv::Op::kSync, path_); !status) return status;
    uint64_t covered = 0;  // writes that completed before this sync started
    {
      std::lock_guard lock(env_->mu_);
      int& failing = whole_file_system && env_->failing_file_system_syncs_ > 0
                         ? env_->failing_file_system_syncs_
                         : env_->failing_syncs_;
      if (failing > 0) {
        --failing;
        return Fail(env_->sync_error_, std::string(storage::BaseName(path_)) +
                                           (whole_file_system ? ": syncfs" : ": fdatasync") +
                                           " failed: injected I/O error");
      }
      covered = env_->next_sequence_;
    }
    Status synced = whole_file_system ? base_->SyncFileSystem() : base_->Sync();
    if (!synced) return synced;
    (whole_file_system ? env_->file_system_syncs_ : env_->syncs_).fetch_add(1);
    auto durable = [&](const FaultEnv::Undo& undo) { return undo.sequence < covered; };
    std::lock_guard lock(env_->mu_);
    if (!whole_file_system) {
      std::erase_if(env_->files_[path_].unsynced, durable);
      return Ok();
    }
    for (auto& [path, state] : env_->files_) std::erase_if(state.unsynced, durable);
    return Ok();
  }

  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<storage::WritableFile> base_;
  std::unique_ptr<storage::ReadableFile> reader_;  // for what a write replaces
};

class FaultReadableFile final : public storage::ReadableFile {
 public:
  FaultReadableFile(FaultEnv* env, std::string path, std::unique_ptr<storage::ReadableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    if (auto status = env_->Before(FaultEnv::Op::kRead, path_); !status)
      return Fail(status.error());
    if (env_->short_reads_.load() && out.size() > 1) out = out.first(1 + out.size() / 3);
    auto got = base_->ReadAt(offset, out);
    if (got) env_->bytes_read_.fetch_add(*got);
    return got;
  }
  Result<size_t> ReadCachedAt(uint64_t offset, std::span<char> out) const override {
    if (env_->uncached_.load()) return 0;
    return ReadAt(offset, out);
  }
  Result<uint64_t> Size() const override { return base_->Size(); }

 private:
  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<storage::ReadableFile> base_;
};

FaultEnv::FaultEnv(storage::Env* base) : base_(base) {}

void FaultEnv::FailSyncs(int count, ErrorCode code) {
  std::lock_guard lock(mu_);
  failing_syncs_ = count;
  sync_error_ = code;
}

void FaultEnv::FailFileSystemSyncs(int count) {
  std::lock_guard lock(mu_);
  failing_file_system_syncs_ = count;
  sync_error_ = ErrorCode::kUnavailable;
}

void FaultEnv::SetSpaceLimit(std::optional<uint64_t> bytes) {
  std::lock_guard lock(mu_);
  space_limit_ = bytes;
}

void FaultEnv::SetShortReads(bool on) { short_reads_.store(on); }

void FaultEnv::SetUncached(bool on) { uncached_.store(on); }

void FaultEnv::TearNextWrite(size_t keep_bytes, std::string path_suffix) {
  std::lock_guard lock(mu_);
  tear_next_write_ = keep_bytes;
  tear_suffix_ = std::move(path_suffix);
}

void FaultEnv::Freeze() {
  std::lock_guard lock(mu_);
  frozen_ = true;
}

void FaultEnv::SetHook(Hook hook) {
  std::lock_guard lock(mu_);
  hook_ = std::move(hook);
}

uint64_t FaultEnv::used_bytes() const {
  std::lock_guard lock(mu_);
  uint64_t total = 0;
  for (const auto& [path, state] : files_) total += state.usage;
  return total;
}

void FaultEnv::SimulatePowerLoss(uint64_t seed) {
  std::mt19937_64 random(seed);
  std::map<std::string, FileState> files;
  {
    std::lock_guard lock(mu_);
    for (auto& [path, state] : files_) {
      files[path].unsynced.swap(state.unsynced);
    }
    frozen_ = false;
  }
  for (auto& [path, state] : files) {
    if (state.unsynced.empty()) continue;
    auto file = base_->OpenWritable(path, OpenMode::kOpenExisting);
    if (!file) continue;  // removed since
    for (auto it = state.unsynced.rbegin(); it != state.unsynced.rend(); ++it) {
      uint64_t keep = 0;
      switch (random() % 3) {
        case 0:
          keep = it->length;
          break;  // reached the disk
        case 1:
          keep = 0;
          break;  // lost
        default:
          keep = it->length == 0 ? 0 : random() % it->length;  // torn
      }
      if (keep == it->length) continue;
      std::string restore(it->length - keep, '\0');  // bytes past the old end read as zeros
      for (uint64_t i = keep; i < it->old_bytes.size(); ++i) restore[i - keep] = it->old_bytes[i];
      (void)(*file)->WriteAt(it->offset + keep, restore);
    }
  }
}

Status FaultEnv::Before(Op op, const std::string& path) {
  Hook hook;
  {
    std::lock_guard lock(mu_);
    hook = hook_;
  }
  if (hook) hook(op, path);
  return Ok();
}

Status FaultEnv::Mutation(Op op, const std::string& path) {
  if (auto status = Before(op, path); !status) return status;
  std::lock_guard lock(mu_);
  if (frozen_) {
    return Fail(ErrorCode::kUnavailable, std::string(storage::BaseName(path)) + ": env is frozen");
  }
  return Ok();
}

Status FaultEnv::Reserve(const std::string& path, uint64_t end) {
  std::lock_guard lock(mu_);
  FileState& state = files_[path];
  if (end <= state.usage) return Ok();
  if (space_limit_) {
    uint64_t total = 0;
    for (const auto& [other, other_state] : files_) total += other_state.usage;
    if (total - state.usage + end > *space_limit_) {
      return Fail(ErrorCode::kResourceExhausted,
                  std::string(storage::BaseName(path)) + ": No space left on device");
    }
  }
  state.usage = end;
  return Ok();
}

Result<std::unique_ptr<storage::WritableFile>> FaultEnv::OpenWritable(const std::string& path,
                                                                      OpenMode mode) {
  if (auto status = Mutation(Op::kOpen, path); !status) return Fail(status.error());
  auto file = base_->OpenWritable(path, mode);
  if (!file) return Fail(file.error());
  auto reader = base_->OpenReadable(path);
  if (!reader) return Fail(reader.error());
  auto size = (*reader)->Size();
  if (!size) return Fail(size.error());
  {
    std::lock_guard lock(mu_);
    FileState& state = files_[path];
    if (mode == OpenMode::kCreateOrTruncate) state.unsynced.clear();
    state.usage = std::max(state.usage, *size);
    if (mode == OpenMode::kCreateOrTruncate) state.usage = *size;
  }
  return std::make_unique<FaultWritableFile>(this, path, std::move(*file), std::move(*reader));
}

Result<std::unique_ptr<storage::ReadableFile>> FaultEnv::OpenReadable(const std::string& path) {
  if (auto status = Before(Op::kOpen, path); !status) return Fail(status.error());
  auto file = base_->OpenReadable(path);
  if (!file) return Fail(file.error());
  return std::make_unique<FaultReadableFile>(this, path, std::move(*file));
}

Result<std::vector<std::string>> FaultEnv::ListDir(const std::string& dir) {
  return base_->ListDir(dir);
}

Status FaultEnv::CreateDirs(const std::string& dir) {
  if (auto status = Mutation(Op::kSyncDir, dir); !status) return status;
  return base_->CreateDirs(dir);
}

Status FaultEnv::SyncDir(const std::string& dir) {
  if (auto status = Mutation(Op::kSyncDir, dir); !status) return status;
  return base_->SyncDir(dir);
}

Status FaultEnv::RemoveFile(const std::string& path) {
  if (auto status = Mutation(Op::kRemove, path); !status) return status;
  if (auto status = base_->RemoveFile(path); !status) return status;
  std::lock_guard lock(mu_);
  files_.erase(path);
  return Ok();
}

Status FaultEnv::RemoveDir(const std::string& dir) {
  if (auto status = Mutation(Op::kRemove, dir); !status) return status;
  return base_->RemoveDir(dir);
}

Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  if (auto status = Mutation(Op::kRename, from); !status) return status;
  if (auto status = base_->RenameFile(from, to); !status) return status;
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = std::move(it->second);
    files_.erase(from);
  } else {
    files_.erase(to);
  }
  return Ok();
}

}  // namespace sluice::testutil
