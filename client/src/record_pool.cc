#include "record_pool.h"

#include <array>
#include <mutex>
#include <new>
#include <vector>

namespace sluice::client {

namespace {

constexpr size_t kGranule = 64;
constexpr size_t kClasses = 16;  // blocks of 64 … 1024 bytes
constexpr size_t kBatch = 128;   // blocks moved between a thread and the depot
constexpr size_t kThreadCache = 2 * kBatch;
constexpr size_t kDepotBlocks = 1 << 16;  // per class; beyond that, blocks are freed

size_t ClassOf(size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }
size_t BlockBytes(size_t size_class) { return (size_class + 1) * kGranule; }

struct Depot {
  std::mutex mutex;
  std::array<std::vector<std::vector<void*>>, kClasses> batches;  // guarded by mutex
};

// Never destroyed: threads may return blocks while the process exits.
Depot& TheDepot() {
  static auto* depot = new Depot();
  return *depot;
}

struct ThreadCache {
  std::array<std::vector<void*>, kClasses> free;

  ~ThreadCache() {
    for (size_t c = 0; c < kClasses; ++c) {
      while (!free[c].empty()) Spill(c, free[c].size());
    }
  }

  // Moves `count` blocks of class `c` to the depot (or frees them when it is full).
  void Spill(size_t c, size_t count) {
    std::vector<void*> batch(free[c].end() - static_cast<std::ptrdiff_t>(count), free[c].end());
    free[c].resize(free[c].size() - count);
    Depot& depot = TheDepot();
    {
      std::lock_guard lock(depot.mutex);
      if (depot.batches[c].size() * kBatch < kDepotBlocks) {
        depot.batches[c].push_back(std::move(batch));
        return;
      }
    }
    for (void* block : batch) ::operator delete(block);
  }

  bool Refill(size_t c) {
    Depot& depot = TheDepot();
    std::lock_guard lock(depot.mutex);
    if (depot.batches[c].empty()) return false;
    free[c] = std::move(depot.batches[c].back());
    depot.batches[c].pop_back();
    return true;
  }
};

ThreadCache& Cache() {
  thread_local ThreadCache cache;
  return cache;
}

}  // namespace

void* RecordPool::Allocate(size_t bytes) {
  const size_t c = ClassOf(bytes);
  if (c >= kClasses) return ::operator new(bytes);
  ThreadCache& cache = Cache();
  if (cache.free[c].empty() && !cache.Refill(c)) return ::operator new(BlockBytes(c));
  void* block = cache.free[c].back();
  cache.free[c].pop_back();
  return block;
}

void RecordPool::Free(void* block, size_t bytes) {
  const size_t c = ClassOf(bytes);
  if (c >= kClasses) {
    ::operator delete(block);
    return;
  }
  ThreadCache& cache = Cache();
  cache.free[c].push_back(block);
  if (cache.free[c].size() >= kThreadCache) cache.Spill(c, kBatch);
}

}  // namespace sluice::client
