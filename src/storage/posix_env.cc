#include "storage/posix_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace sluice::storage {

namespace {

// Closes the descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

Result<uint64_t> FileSize(const std::string& path, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Fail(PosixError(path, "fstat", errno));
  return static_cast<uint64_t>(st.st_size);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t device)
      : path_(std::move(path)), fd_(fd), device_(device) {}
  ~PosixWritableFile() override { ::close(fd_); }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status WriteAt(uint64_t offset, std::string_view data) override {
    while (!data.empty()) {
      ssize_t wrote = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
      if (wrote < 0) {
        if (errno == EINTR) continue;
        return Fail(PosixError(path_, "write", errno));
      }
      data.remove_prefix(static_cast<size_t>(wrote));
      offset += static_cast<uint64_t>(wrote);
    }
    return Ok();
  }

  Status WriteAtGathered(uint64_t offset, std::span<const std::string_view> pieces) override {
    iovecs_.clear();
    for (std::string_view piece : pieces) {
      if (!piece.empty()) iovecs_.push_back({const_cast<char*>(piece.data()), piece.size()});
    }
    for (size_t next = 0; next < iovecs_.size();) {
      const int count = static_cast<int>(std::min<size_t>(iovecs_.size() - next, IOV_MAX));
      ssize_t wrote = ::pwritev(fd_, &iovecs_[next], count, static_cast<off_t>(offset));
      if (wrote < 0) {
        if (errno == EINTR) continue;
        return Fail(PosixError(path_, "write", errno));
      }
      offset += static_cast<uint64_t>(wrote);
      // Past the pieces written whole, into the one written in part.
      for (auto left = static_cast<size_t>(wrote); left > 0;) {
        iovec& piece = iovecs_[next];
        const size_t taken = std::min(left, piece.iov_len);
        piece.iov_base = static_cast<char*>(piece.iov_base) + taken;
        piece.iov_len -= taken;
        left -= taken;
        if (piece.iov_len == 0) ++next;
      }
    }
    return Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Fail(PosixError(path_, "fdatasync", errno));
    return Ok();
  }

  Status SyncFileSystem() override {
    if (::syncfs(fd_) != 0) return Fail(PosixError(path_, "syncfs", errno));
    return Ok();
  }

  uint64_t FileSystemId() const override { return device_; }

  Status Allocate(uint64_t offset, uint64_t length) override {
    while (::fallocate(fd_, 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
      if (errno == EINTR) continue;
      // Preallocation is an optimisation: without file-system support, writes allocate.
      if (errno == EOPNOTSUPP) return Ok();
      return Fail(PosixError(path_, "fallocate", errno));
    }
    return Ok();
  }

  void StartWriteback(uint64_t offset, uint64_t length) override {
    (void)::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                            SYNC_FILE_RANGE_WRITE);
  }

  void DropCache(uint64_t offset, uint64_t length) override {
    (void)::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                          POSIX_FADV_DONTNEED);
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Fail(PosixError(path_, "ftruncate", errno));
    }
    return Ok();
  }

  Result<uint64_t> Size() override { return FileSize(path_, fd_); }

 private:
  std::string path_;
  int fd_;
  uint64_t device_;            // st_dev: the file system
  std::vector<iovec> iovecs_;  // WriteAtGathered's, reused
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixReadableFile() override { ::close(fd_); }
  PosixReadableFile(const PosixReadableFile&) = delete;
  PosixReadableFile& operator=(const PosixReadableFile&) = delete;

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    while (true) {
      ssize_t got = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return Fail(PosixError(path_, "read", errno));
    }
  }

  Result<size_t> ReadCachedAt(uint64_t offset, std::span<char> out) const override {
    iovec io{out.data(), out.size()};
    while (true) {
      ssize_t got = ::preadv2(fd_, &io, 1, static_cast<off_t>(offset), RWF_NOWAIT);
      if (got >= 0) return static_cast<size_t>(got);
      // EOPNOTSUPP: a file system that cannot tell; its reads all count as uncached.
      if (errno == EAGAIN || errno == EOPNOTSUPP) return 0;
      if (errno != EINTR) return Fail(PosixError(path_, "read", errno));
    }
  }

  Result<uint64_t> Size() const override { return FileSize(path_, fd_); }

 private:
  std::string path_;
  int fd_;
};

}  // namespace

Error PosixError(std::string_view path, std::string_view operation, int errno_value) {
  ErrorCode code = ErrorCode::kInternal;
  switch (errno_value) {
    case ENOSPC:
    case EDQUOT:
      code = ErrorCode::kResourceExhausted;
      break;
    case ENOENT:
      code = ErrorCode::kNotFound;
      break;
    case EEXIST:
      code = ErrorCode::kAlreadyExists;
      break;
    case EIO:
      code = ErrorCode::kUnavailable;
      break;
    default:
      break;
  }
  std::string message(BaseName(path));
  message.append(": ").append(operation).append(" failed: ").append(std::strerror(errno_value));
  return Error{code, std::move(message), {}};
}

PosixEnv* PosixEnv::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

Result<std::unique_ptr<WritableFile>> PosixEnv::OpenWritable(const std::string& path,
                                                             OpenMode mode) {
  int flags = O_RDWR | O_CLOEXEC;
  if (mode == OpenMode::kCreateOrTruncate) flags |= O_CREAT | O_TRUNC;
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return Fail(PosixError(path, "open", errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return Fail(PosixError(path, "fstat", error));
  }
  return std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_dev));
}

Result<std::unique_ptr<ReadableFile>> PosixEnv::OpenReadable(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(PosixError(path, "open", errno));
  return std::make_unique<PosixReadableFile>(path, fd);
}

Result<std::vector<std::string>> PosixEnv::ListDir(const std::string& dir) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return Fail(PosixError(dir, "opendir", errno));
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    struct dirent* entry = ::readdir(handle);
    if (entry == nullptr) break;
    std::string_view name(entry->d_name);
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  int error = errno;
  ::closedir(handle);
  if (error != 0) return Fail(PosixError(dir, "readdir", error));
  return names;
}

Status PosixEnv::CreateDirs(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string prefix = dir.substr(0, slash);
    if (!prefix.empty()) {
      if (::mkdir(prefix.c_str(), 0755) == 0) {
        // A new folder's name lives in its parent: make it durable, or a crash could
        // take the folder and everything later synced inside it.
        size_t parent_end = prefix.find_last_of('/');
        std::string parent = parent_end == 0 || parent_end == std::string::npos
                                 ? std::string(parent_end == 0 ? "/" : ".")
                                 : prefix.substr(0, parent_end);
        if (auto status = SyncDir(parent); !status) return status;
      } else if (errno != EEXIST) {
        return Fail(PosixError(prefix, "mkdir", errno));
      }
    }
    if (slash == std::string::npos) break;
  }
  return Ok();
}

Status PosixEnv::SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(PosixError(dir, "open", errno));
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return Fail(PosixError(dir, "fsync", errno));
  return Ok();
}

Status PosixEnv::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Fail(PosixError(path, "unlink", errno));
  return Ok();
}

Status PosixEnv::RemoveDir(const std::string& dir) {
  if (::rmdir(dir.c_str()) != 0) return Fail(PosixError(dir, "rmdir", errno));
  return Ok();
}

Status PosixEnv::RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Fail(PosixError(from, "rename", errno));
  return Ok();
}

}  // namespace sluice::storage
