#include "token_bucket.h"

#include <algorithm>

namespace sluice::client {

TokenBucket::TokenBucket(double records_per_second, double bytes_per_second,
                         double max_record_bytes, Clock::time_point now)
    : records_rate_(records_per_second),
      bytes_rate_(bytes_per_second),
      // One second's worth, and never less than one record of the largest size, so that
      // every record passes eventually.
      records_capacity_(std::max(records_per_second, 1.0)),
      bytes_capacity_(std::max(bytes_per_second, max_record_bytes)),
      records_(records_capacity_),
      bytes_(bytes_capacity_),
      last_(now) {}

void TokenBucket::Refill(Clock::time_point now) {
  if (now <= last_) return;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  records_ = std::min(records_capacity_, records_ + seconds * records_rate_);
  bytes_ = std::min(bytes_capacity_, bytes_ + seconds * bytes_rate_);
}

bool TokenBucket::TryTake(double bytes, Clock::time_point now) {
  Refill(now);
  if (records_ < 1 || bytes_ < bytes) return false;
  records_ -= 1;
  bytes_ -= bytes;
  return true;
}

}  // namespace sluice::client
