#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "stream/token_bucket.h"

namespace sluice::stream {

// The throughput quotas of one provisioned Kinesis shard.
struct ShardQuotas {
  double write_bytes_per_sec = 1 << 20;
  double write_records_per_sec = 1000;
  double read_bytes_per_sec = 2 << 20;
  double read_calls_per_sec = 5;
};

// One shard's traffic: the token buckets that enforce its quotas and the running totals
// the write-rate metrics and the on-demand scaler sample. Thread-safe.
class ShardTraffic {
 public:
  explicit ShardTraffic(const ShardQuotas& quotas);

  // Admits one record of `bytes` (data + partition key) under the write quotas.
  bool AdmitWrite(size_t bytes, int64_t now_ms);
  // Admits one GetRecords call: refused past the calls per second, or while earlier
  // reads' bytes are still being paid back.
  bool AdmitRead(int64_t now_ms);
  // Charges the bytes a GetRecords call returned (possibly more than a second's worth).
  void ChargeRead(size_t bytes, int64_t now_ms);

  // Counts stored records.
  void CountWrite(size_t records, size_t bytes) {
    records_written_.fetch_add(records, std::memory_order_relaxed);
    bytes_written_.fetch_add(bytes, std::memory_order_relaxed);
  }
  uint64_t records_written() const { return records_written_.load(std::memory_order_relaxed); }
  uint64_t bytes_written() const { return bytes_written_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  TokenBucket write_bytes_;
  TokenBucket write_records_;
  TokenBucket read_bytes_;
  TokenBucket read_calls_;
  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> bytes_written_{0};
};

}  // namespace sluice::stream
