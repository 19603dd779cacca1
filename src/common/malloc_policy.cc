#include "common/malloc_policy.h"

#include <malloc.h>

namespace sluice {

namespace {

// Blocks up to this size come from malloc's heaps rather than a mmap each (glibc's most).
constexpr int kLargestHeapBlockBytes = 32 << 20;
// Free memory a heap keeps at its top before returning the rest to the kernel.
constexpr int kKeptFreeBytes = 64 << 20;

}  // namespace

bool KeepFreedMemoryForReuse() {
  // Setting either also stops glibc from adjusting both as blocks are freed.
  const bool heap_blocks = mallopt(M_MMAP_THRESHOLD, kLargestHeapBlockBytes) == 1;
  const bool kept = mallopt(M_TRIM_THRESHOLD, kKeptFreeBytes) == 1;
  return heap_blocks && kept;
}

}  // namespace sluice
