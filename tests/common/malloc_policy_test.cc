#include "common/malloc_policy.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstring>
#include <memory>
#include <thread>

namespace sluice {
namespace {

long MinorPageFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

volatile char sink;

// Three buffers of a few MiB, filled and freed: what one large GetRecords page allocates.
void AllocateFillAndFree() {
  constexpr size_t kBytes = 5 << 20;
  std::unique_ptr<char[]> buffers[3];
  for (auto& buffer : buffers) {
    buffer = std::make_unique_for_overwrite<char[]>(kBytes);
    std::memset(buffer.get(), 1, kBytes);
  }
  sink = static_cast<char>(buffers[0][1] + buffers[1][2] + buffers[2][kBytes - 1]);
}

// Page faults of five rounds after two to warm up, on a thread of its own (its own heap,
// like an I/O thread's).
long FaultsOfRepeatedRounds() {
  long faults = 0;
  std::thread thread([&faults] {
    AllocateFillAndFree();
    AllocateFillAndFree();
    const long before = MinorPageFaults();
    for (int i = 0; i < 5; ++i) AllocateFillAndFree();
    faults = MinorPageFaults() - before;
  });
  thread.join();
  return faults;
}

TEST(MallocPolicyTest, FreedLargeBuffersAreReusedWithoutFaultingPagesInAgain) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizer's allocator replaces glibc's malloc";
#endif
  ASSERT_TRUE(KeepFreedMemoryForReuse());
  // glibc's defaults fault every page of every round in again (~19,000 faults).
  EXPECT_LT(FaultsOfRepeatedRounds(), 100);
}

}  // namespace
}  // namespace sluice
