#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice::stream {

// A token bucket: `rate` tokens per second, holding at most `capacity`. Not thread-safe
// (ShardTraffic guards its buckets). Time is in milliseconds from any fixed origin.
class TokenBucket {
 public:
  TokenBucket(double rate, double capacity) : rate_(rate), capacity_(capacity), tokens_(capacity) {}

  // Takes `amount` tokens if that many are there.
  bool TryTake(double amount, int64_t now_ms) {
    Refill(now_ms);
    if (tokens_ < amount) return false;
    tokens_ -= amount;
    return true;
  }
  // Takes `amount` tokens even if that leaves the bucket in debt (a read larger than the
  // budget is charged after the fact and paid back by waiting).
  void Charge(double amount, int64_t now_ms) {
    Refill(now_ms);
    tokens_ -= amount;
  }
  // True while the bucket is not in debt.
  bool HasTokens(int64_t now_ms) {
    Refill(now_ms);
    return tokens_ > 0;
  }

 private:
  void Refill(int64_t now_ms) {
    if (now_ms > last_ms_) {
      tokens_ =
          std::min(capacity_, tokens_ + rate_ * static_cast<double>(now_ms - last_ms_) / 1000);
      last_ms_ = now_ms;
    }
  }

  double rate_;
  double capacity_;
  double tokens_;
  int64_t last_ms_ = 0;
};

}  // namespace sluice::stream
