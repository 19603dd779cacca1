#include "taxi/trip_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <streambuf>

namespace sluice::taxi {
namespace {

Error IoError(const std::string& path, std::string_view what, int errno_value) {
  ErrorCode code = ErrorCode::kUnavailable;
  if (errno_value == ENOSPC || errno_value == EDQUOT) code = ErrorCode::kResourceExhausted;
  if (errno_value == ENOENT || errno_value == ENOTDIR) code = ErrorCode::kNotFound;
  return Error{
      code, "cannot " + std::string(what) + " '" + path + "': " + std::strerror(errno_value), {}};
}

// An unbuffered output stream buffer over a file descriptor that keeps the first errno.
// GenerateTrips writes in large chunks, so no buffering is needed here.
class FdStreamBuf : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd) {}

  int error() const { return error_; }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    std::streamsize done = 0;
    while (done < size && error_ == 0) {
      const ssize_t wrote = ::write(fd_, data + done, static_cast<size_t>(size - done));
      if (wrote < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      done += wrote;
    }
    return done;
  }

  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    return xsputn(&byte, 1) == 1 ? c : traits_type::eof();
  }

 private:
  int fd_;
  int error_ = 0;
};

std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string TempPathFor(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return folder + "." + name + ".tmp-" + std::to_string(::getpid());
}

Status SyncFolder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(IoError(folder, "open folder", errno));
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return Fail(IoError(folder, "fsync folder", error));
  return Ok();
}

// Generates into the open temporary file, then fsyncs and closes it (always closes).
Result<GeneratedTrips> FillAndClose(int fd, const std::string& temp_path, uint64_t rows,
                                    uint64_t seed, double bad_row_share) {
  FdStreamBuf buffer(fd);
  std::ostream stream(&buffer);
  auto written = GenerateTrips(rows, seed, bad_row_share, stream);
  int error = buffer.error();
  if (written && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0 && written) error = errno;
  if (error != 0) return Fail(IoError(temp_path, "write", error));
  return written;
}

}  // namespace

Result<GeneratedTrips> WriteTripsFile(const std::string& path, uint64_t rows, uint64_t seed,
                                      double bad_row_share) {
  if (!TripGenerator::Create({rows, seed, bad_row_share})) {
    return Fail(ErrorCode::kInvalidArgument, "bad row share must be between 0 and 1");
  }
  const std::string temp_path = TempPathFor(path);
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(IoError(temp_path, "create", errno));
  auto written = FillAndClose(fd, temp_path, rows, seed, bad_row_share);
  if (written && ::rename(temp_path.c_str(), path.c_str()) != 0) {
    written = Fail(IoError(path, "rename a temporary file to", errno));
  }
  if (!written) {
    ::unlink(temp_path.c_str());
    return written;
  }
  if (auto synced = SyncFolder(FolderOf(path)); !synced) return Fail(std::move(synced.error()));
  return written;
}

}  // namespace sluice::taxi
