#include "common/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

namespace sluice {

namespace {

id_t ThisThreadId() { return static_cast<id_t>(gettid()); }

}  // namespace

int ThisThreadNice() {
  errno = 0;  // -1 is a valid nice value; only errno tells a failure
  const int nice = getpriority(PRIO_PROCESS, ThisThreadId());
  return errno == 0 ? nice : 0;
}

bool MakeThisThreadBackground() {
  if (ThisThreadNice() >= kBackgroundNice) return true;
  return setpriority(PRIO_PROCESS, ThisThreadId(), kBackgroundNice) == 0;
}

}  // namespace sluice
