#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "sluice/producer.h"

namespace sluice::client {

// A fixed-bucket latency histogram for the pipeline (not thread-safe: one owner).
class Histogram {
 public:
  static constexpr std::array<double, 14> kBoundsMs = {1,   2,   5,    10,   25,   50,    100,
                                                       250, 500, 1000, 2500, 5000, 10000, 30000};

  void Observe(std::chrono::steady_clock::duration elapsed) {
    const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
    size_t bucket = 0;
    while (bucket < kBoundsMs.size() && ms > kBoundsMs[bucket]) ++bucket;
    ++counts_[bucket];
    sum_ms_ += ms;
  }
  LatencyHistogram Snapshot() const;

 private:
  std::array<uint64_t, kBoundsMs.size() + 1> counts_{};  // per bucket, not cumulative
  double sum_ms_ = 0;
};

// Counters of one shard, kept by the pipeline.
struct ShardCounters {
  uint64_t user_records_put = 0;
  uint64_t user_records_failed = 0;
  uint64_t user_record_bytes_put = 0;
  uint64_t kinesis_records_put = 0;
  uint64_t kinesis_record_bytes_put = 0;
  uint64_t retries = 0;
  std::map<std::string, uint64_t> errors_by_code;

  ShardMetrics Snapshot(const std::string& shard_id) const;
};

}  // namespace sluice::client
