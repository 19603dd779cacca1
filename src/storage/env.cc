#include "storage/env.h"

namespace sluice::storage {

Status WritableFile::WriteAtGathered(uint64_t offset, std::span<const std::string_view> pieces) {
  std::string joined;
  for (std::string_view piece : pieces) joined.append(piece);
  return WriteAt(offset, joined);
}

Result<size_t> ReadFully(const ReadableFile& file, uint64_t offset, std::span<char> out,
                         ReadWait wait) {
  size_t done = 0;
  while (done < out.size()) {
    Result<size_t> got = file.Read(offset + done, out.subspan(done), wait);
    if (!got) return Fail(got.error());
    if (*got == 0) break;
    done += *got;
  }
  return done;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace sluice::storage
