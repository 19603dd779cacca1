#include "storage/log_options.h"

#include <chrono>

namespace sluice::storage {

Status ValidateOptions(const ShardLogOptions& options) {
  auto invalid = [](const std::string& what) {
    return Fail(ErrorCode::kInvalidArgument, "shard log option " + what);
  };
  if (options.durability == DurabilityPolicy::kInterval && options.sync_interval_ms <= 0) {
    return invalid("sync_interval_ms must be positive");
  }
  if (options.segment_bytes < (uint64_t{4} << 10)) return invalid("segment_bytes below 4 KiB");
  if (options.segment_max_age_ms <= 0) return invalid("segment_max_age_ms must be positive");
  if (options.chunk_bytes < (uint64_t{4} << 10) || options.chunk_bytes > (uint64_t{64} << 20)) {
    return invalid("chunk_bytes outside 4 KiB..64 MiB");
  }
  if (options.index_interval_bytes == 0) return invalid("index_interval_bytes must be positive");
  if (options.retention_ms < kMinRetentionMs || options.retention_ms > kMaxRetentionMs) {
    return invalid("retention_ms outside 24..8760 hours");
  }
  if (options.retention_check_interval_ms < 0) {
    return invalid("retention_check_interval_ms must not be negative");
  }
  if (options.max_pending_bytes == 0) return invalid("max_pending_bytes must be positive");
  return Ok();
}

int64_t NowMs(const ShardLogOptions& options) {
  if (options.clock) return options.clock();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice::storage
