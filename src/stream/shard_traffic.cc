#include "stream/shard_traffic.h"

namespace sluice::stream {

// Each bucket holds one second of its quota, so a shard absorbs a one-second burst.
ShardTraffic::ShardTraffic(const ShardQuotas& quotas)
    : write_bytes_(quotas.write_bytes_per_sec, quotas.write_bytes_per_sec),
      write_records_(quotas.write_records_per_sec, quotas.write_records_per_sec),
      read_bytes_(quotas.read_bytes_per_sec, quotas.read_bytes_per_sec),
      read_calls_(quotas.read_calls_per_sec, quotas.read_calls_per_sec) {}

bool ShardTraffic::AdmitWrite(size_t bytes, int64_t now_ms) {
  std::lock_guard lock(mu_);
  // Bytes are charged after the fact, like reads: a record larger than a second's quota
  // (up to 10 MiB after UpdateMaxRecordSize) passes on a rested shard and is paid back.
  if (!write_bytes_.HasTokens(now_ms) || !write_records_.TryTake(1, now_ms)) return false;
  write_bytes_.Charge(static_cast<double>(bytes), now_ms);
  return true;
}

bool ShardTraffic::AdmitRead(int64_t now_ms) {
  std::lock_guard lock(mu_);
  return read_bytes_.HasTokens(now_ms) && read_calls_.TryTake(1, now_ms);
}

void ShardTraffic::ChargeRead(size_t bytes, int64_t now_ms) {
  std::lock_guard lock(mu_);
  read_bytes_.Charge(static_cast<double>(bytes), now_ms);
}

}  // namespace sluice::stream
