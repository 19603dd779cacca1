#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "storage/seal.h"

namespace sluice::storage {

// When an append counts as durable (and is acknowledged and shown to readers).
enum class DurabilityPolicy {
  kSync,      // after fdatasync; concurrent appends share one (group commit). The default.
  kInterval,  // after the write reaches the page cache; fdatasync every sync_interval_ms
  kNone,      // after the write reaches the page cache; synced only when a segment is
              // sealed and when the log is closed
};

inline constexpr int64_t kHourMs = int64_t{3600} * 1000;
// Kinesis retention bounds (IncreaseStreamRetentionPeriod): 24 to 8760 hours.
inline constexpr int64_t kMinRetentionMs = 24 * kHourMs;
inline constexpr int64_t kMaxRetentionMs = 8760 * kHourMs;

struct ShardLogOptions {
  // Names the log in error messages (e.g. "orders/shardId-000000000001"); never a path.
  std::string name = "shard";
  DurabilityPolicy durability = DurabilityPolicy::kSync;
  int64_t sync_interval_ms = 1000;  // kInterval only

  // A segment is rolled before an append that would take it past segment_bytes, or once
  // it is segment_max_age_ms old; a batch never spans segments.
  uint64_t segment_bytes = uint64_t{128} << 20;
  int64_t segment_max_age_ms = kHourMs;
  // Disk space is reserved (fallocate) ahead of the writes in steps of this size.
  uint64_t preallocate_bytes = uint64_t{8} << 20;
  // Appends are encoded into chunks of this size; each is written with one system call.
  uint64_t chunk_bytes = uint64_t{256} << 10;
  // Distance between sparse index entries, i.e. the most a seek has to scan.
  uint64_t index_interval_bytes = uint64_t{64} << 10;

  // Whole segments whose newest record is older than retention_ms are deleted; with
  // retention_bytes > 0 the oldest segments also go while the log is larger than that.
  int64_t retention_ms = kMinRetentionMs;
  uint64_t retention_bytes = 0;
  // How often the flusher enforces retention on its own; 0: only when asked.
  int64_t retention_check_interval_ms = 60 * 1000;

  // Appends fail with kUnavailable while this many bytes wait for the disk.
  uint64_t max_pending_bytes = uint64_t{64} << 20;

  // Finds the keys of sealed batches (ShardLog::SetSealKey) for reads and Verify; null:
  // sealed batches cannot be read (kDataLoss). Seeks, recovery and retention need no key.
  std::shared_ptr<const KeyResolver> keys;

  // Milliseconds since the Unix epoch, for arrival times and retention; empty: the
  // system clock. Tests pass a fake one. Called once per append on the appending
  // thread and by retention on the flusher thread: keep it cheap and thread-safe.
  std::function<int64_t()> clock;
};

// kInvalidArgument naming the first option out of range.
[[nodiscard]] Status ValidateOptions(const ShardLogOptions& options);

// options.clock() or the system clock.
int64_t NowMs(const ShardLogOptions& options);

}  // namespace sluice::storage
