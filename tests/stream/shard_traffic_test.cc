#include "stream/shard_traffic.h"

#include <gtest/gtest.h>

namespace sluice::stream {
namespace {

constexpr int64_t kStart = 1'000'000;

TEST(ShardTrafficTest, AdmitsOneSecondOfRecordsThenRefillsAtTheQuota) {
  ShardTraffic traffic{ShardQuotas{}};
  int admitted = 0;
  for (int i = 0; i < 1500; ++i) admitted += traffic.AdmitWrite(100, kStart) ? 1 : 0;
  EXPECT_EQ(admitted, 1000);
  EXPECT_FALSE(traffic.AdmitWrite(100, kStart));
  admitted = 0;
  for (int i = 0; i < 1500; ++i) admitted += traffic.AdmitWrite(100, kStart + 500) ? 1 : 0;
  EXPECT_EQ(admitted, 500);  // half a second refills half the quota
}

TEST(ShardTrafficTest, ChargesBytesAfterTheFactSoALargeRecordPassesThenWaits) {
  ShardTraffic traffic{ShardQuotas{}};
  EXPECT_TRUE(traffic.AdmitWrite(3 << 20, kStart));  // 3 MiB: three seconds' worth
  EXPECT_FALSE(traffic.AdmitWrite(1, kStart + 1000));
  EXPECT_FALSE(traffic.AdmitWrite(1, kStart + 1900));
  EXPECT_TRUE(traffic.AdmitWrite(1, kStart + 2100));
}

TEST(ShardTrafficTest, AdmitsFiveReadsPerSecond) {
  ShardTraffic traffic{ShardQuotas{}};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(traffic.AdmitRead(kStart));
  EXPECT_FALSE(traffic.AdmitRead(kStart));
  EXPECT_TRUE(traffic.AdmitRead(kStart + 200));
}

TEST(ShardTrafficTest, RefusesReadsWhileTheirBytesArePaidBack) {
  ShardTraffic traffic{ShardQuotas{}};
  ASSERT_TRUE(traffic.AdmitRead(kStart));
  traffic.ChargeRead(10 << 20, kStart);  // 10 MiB at 2 MiB/s: about four seconds of debt
  EXPECT_FALSE(traffic.AdmitRead(kStart + 3000));
  EXPECT_TRUE(traffic.AdmitRead(kStart + 4100));
}

TEST(ShardTrafficTest, CountsStoredRecordsAndBytes) {
  ShardTraffic traffic{ShardQuotas{}};
  traffic.CountWrite(3, 300);
  traffic.CountWrite(2, 50);
  EXPECT_EQ(traffic.records_written(), 5u);
  EXPECT_EQ(traffic.bytes_written(), 350u);
}

}  // namespace
}  // namespace sluice::stream
