#include "testutil/page_cache.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "common/assert.h"

namespace sluice::testutil {

bool PageCacheCanDrop(const std::string& path) {
  struct statfs info {};
  SLUICE_ASSERT(::statfs(path.c_str(), &info) == 0, "cannot stat the file system");
  return info.f_type != TMPFS_MAGIC;
}

uint64_t CachedPages(const std::string& path, uint64_t from, uint64_t to) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  SLUICE_ASSERT(fd >= 0, "cannot open the file");
  struct stat info {};
  SLUICE_ASSERT(::fstat(fd, &info) == 0, "cannot stat the file");
  const auto size = static_cast<uint64_t>(info.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  SLUICE_ASSERT(map != MAP_FAILED, "cannot map the file");
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  SLUICE_ASSERT(::mincore(map, size, resident.data()) == 0, "mincore failed");
  ::munmap(map, size);
  uint64_t cached = 0;
  for (uint64_t i = from / page; i < (std::min(to, size) + page - 1) / page; ++i) {
    cached += resident[i] & 1;
  }
  return cached;
}

}  // namespace sluice::testutil
