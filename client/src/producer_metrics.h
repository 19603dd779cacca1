#pragma once

#include <array>
#include <chrono>
#include <cstdint>

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

}  // namespace sluice::client
