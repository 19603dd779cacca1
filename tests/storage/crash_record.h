#pragma once

#include <cstdint>
#include <string>

#include "storage/log_options.h"

namespace sluice::storage {

// What the crash test's child appends and reports, shared by both sides.

// One acknowledged batch, written to the report pipe as is (smaller than PIPE_BUF, so
// each write is atomic).
struct CrashReport {
  uint64_t first_position;
  uint64_t batch_seed;
  uint32_t count;
  uint32_t padding;
};

// Record `index` of the batch made from `batch_seed`: the key names both, so any stored
// record can be checked without knowing whether it was acknowledged.
inline std::string CrashKey(uint64_t batch_seed, uint32_t index) {
  return std::to_string(batch_seed) + ":" + std::to_string(index);
}

inline std::string CrashData(uint64_t batch_seed, uint32_t index) {
  size_t size = static_cast<size_t>((batch_seed * 7 + index * 131) % 900);
  std::string data(size, '\0');
  for (size_t j = 0; j < size; ++j) {
    data[j] = static_cast<char>((batch_seed * 31 + index * 17 + j * 7) & 0xff);
  }
  return data;
}

// Small segments, so that kills land in rolls and seals too.
inline ShardLogOptions CrashOptions() {
  ShardLogOptions options;
  options.name = "crash";
  options.segment_bytes = 128 << 10;
  options.preallocate_bytes = 32 << 10;
  options.chunk_bytes = 16 << 10;
  options.index_interval_bytes = 4 << 10;
  return options;
}

inline uint32_t CrashBatchSize(uint64_t batch_seed) {
  return 1 + static_cast<uint32_t>((batch_seed >> 3) % 24);
}

}  // namespace sluice::storage
