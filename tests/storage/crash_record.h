#pragma once

#include <cstdint>
#include <string>

#include "storage/env.h"
#include "storage/flusher.h"
#include "storage/log_options.h"
#include "storage/posix_env.h"
#include "storage/write_ahead_log.h"

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

// The shard log and the write-ahead log of the test, in its folder `dir`.
inline std::string CrashLogDir(const std::string& dir) { return JoinPath(dir, "shard"); }

// A flusher with the write-ahead log (small files, so that kills land in switches and
// checkpoints too), after replaying it.
inline Result<std::unique_ptr<Flusher>> StartCrashFlusher(const std::string& dir) {
  auto log =
      WriteAheadLog::Open(PosixEnv::Default(), dir, WriteAheadLogOptions{256 << 10, 64 << 10});
  if (!log) return Fail(log.error());
  return Flusher::Start({}, std::move(*log));
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
