#include "token_bucket.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucketTest, StartsFullThenRefillsAtItsRate) {
  const auto start = TokenBucket::Clock::time_point{} + std::chrono::hours(1);
  TokenBucket bucket(10, 1000, 100, start);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.TryTake(1, start)) << i;
  EXPECT_FALSE(bucket.TryTake(1, start));
  EXPECT_FALSE(bucket.TryTake(1, start + milliseconds(50)));
  EXPECT_TRUE(bucket.TryTake(1, start + milliseconds(110)));
}

TEST(TokenBucketTest, BytesLimitToo) {
  const auto start = TokenBucket::Clock::time_point{} + std::chrono::hours(1);
  TokenBucket bucket(1000, 1000, 100, start);
  EXPECT_TRUE(bucket.TryTake(600, start));
  EXPECT_FALSE(bucket.TryTake(600, start));
  EXPECT_TRUE(bucket.TryTake(600, start + milliseconds(200)));
}

TEST(TokenBucketTest, ARecordLargerThanOneSecondOfBytesStillPasses) {
  const auto start = TokenBucket::Clock::time_point{} + std::chrono::hours(1);
  TokenBucket bucket(1000, 100, 5000, start);
  EXPECT_TRUE(bucket.TryTake(5000, start));
  EXPECT_FALSE(bucket.TryTake(5000, start + milliseconds(100)));
  EXPECT_TRUE(bucket.TryTake(5000, start + milliseconds(50000)));
}

}  // namespace
}  // namespace sluice::client
