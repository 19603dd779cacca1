#pragma once

#include <chrono>

namespace sluice::client {

// The KPL's per-shard limiter: one bucket of records and one of bytes, each refilled at
// its rate per second up to its capacity; a Kinesis record passes when both hold enough.
// Starts full. Not thread-safe (lives on the pipeline).
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double records_per_second, double bytes_per_second, double max_record_bytes,
              Clock::time_point now);

  // Takes one record of `bytes` if both buckets allow it.
  bool TryTake(double bytes, Clock::time_point now);

 private:
  void Refill(Clock::time_point now);

  double records_rate_;
  double bytes_rate_;
  double records_capacity_;
  double bytes_capacity_;
  double records_;
  double bytes_;
  Clock::time_point last_;
};

}  // namespace sluice::client
