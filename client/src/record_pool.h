#pragma once

#include <cstddef>

namespace sluice::client {

// Memory for user-record states (detail::PutState and its bytes). Records are allocated
// on callers' threads and freed on the pipeline's, a pattern that makes malloc lock its
// arenas and trim and regrow its heaps; this pool keeps freed blocks in per-thread caches
// and hands whole batches between threads through a shared depot. Blocks come in size
// classes of 64 bytes up to 1 KiB; larger ones go to operator new. The depot keeps a
// bounded number of blocks (the rest is freed). Thread-safe.
class RecordPool {
 public:
  // `bytes` must be passed again to Free().
  static void* Allocate(size_t bytes);
  static void Free(void* block, size_t bytes);
};

}  // namespace sluice::client
