#include "stream/on_demand_scaler.h"

#include <gtest/gtest.h>

namespace sluice::stream {
namespace {

constexpr size_t kNoAccountLimit = 1'000'000;

OnDemandOptions TestOptions() {
  OnDemandOptions options;
  options.shard_write_records_per_sec = 1000;
  options.shard_write_bytes_per_sec = 1 << 20;
  options.window_ms = 3000;
  options.interval_ms = 1000;
  options.scale_down_cooldown_ms = 10'000;
  options.min_shards = 2;
  options.max_shards = 16;
  return options;
}

// `count` adjacent shards over the whole key space, numbered from 0.
std::vector<ShardSample> Shards(uint32_t count) {
  std::vector<ShardSample> shards;
  const std::vector<HashKeyRange> ranges = SplitHashKeySpace(count);
  for (uint32_t i = 0; i < count; ++i) shards.push_back(ShardSample{i, ranges[i], 0, 0});
  return shards;
}

// Feeds `seconds` one-second samples in which shard i writes rates[i] records per second.
std::vector<ScaleStep> Feed(OnDemandScaler& scaler, std::vector<ShardSample>& shards,
                            const std::vector<double>& rates, int seconds, int64_t& now_ms,
                            size_t account_headroom = kNoAccountLimit) {
  std::vector<ScaleStep> steps;
  for (int s = 0; s < seconds; ++s) {
    now_ms += 1000;
    for (size_t i = 0; i < shards.size(); ++i) shards[i].records += static_cast<uint64_t>(rates[i]);
    steps = scaler.Plan(1, shards, now_ms, true, account_headroom);
    if (!steps.empty()) return steps;
  }
  return steps;
}

TEST(OnDemandScalerTest, WaitsForAWholeWindowBeforeSplitting) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(2);
  int64_t now = 0;
  EXPECT_TRUE(Feed(scaler, shards, {5000, 0}, 3, now).empty());  // 2 s of history: not yet
  const std::vector<ScaleStep> steps = Feed(scaler, shards, {5000, 0}, 1, now);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps[0].shard, 0u);
}

TEST(OnDemandScalerTest, CutsAHotShardIntoEnoughShardsForTwiceItsRate) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(2);
  int64_t now = 0;
  // 3x its capacity: twice that needs 6 shards, so 8 (a power of two).
  const std::vector<ScaleStep> steps = Feed(scaler, shards, {3000, 0}, 10, now);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].pieces, 8u);
  EXPECT_FALSE(steps[0].merge_with);
}

TEST(OnDemandScalerTest, SplitsOnBytesAsWellAsRecords) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(2);
  int64_t now = 0;
  for (int s = 0; s < 5; ++s) {
    now += 1000;
    shards[1].records += 10;
    shards[1].bytes += 3 << 20;  // 3 MiB/s in ten records
    if (!scaler.Plan(1, shards, now, true, kNoAccountLimit).empty()) return;
  }
  FAIL() << "a shard writing 3 MiB/s was not split";
}

TEST(OnDemandScalerTest, KeepsTwiceTheStreamLoadInShards) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(4);
  int64_t now = 0;
  // No shard is over its capacity, but together they carry 3.6 shards' worth: the stream
  // wants 8 shards, so each of the four is split in two.
  const std::vector<ScaleStep> steps = Feed(scaler, shards, {900, 900, 900, 900}, 10, now);
  EXPECT_EQ(steps.size(), 4u);
  for (const ScaleStep& step : steps) EXPECT_EQ(step.pieces, 2u);
}

TEST(OnDemandScalerTest, NeverPlansPastMaxShards) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(4);
  int64_t now = 0;
  const std::vector<ScaleStep> steps = Feed(scaler, shards, {50'000, 50'000, 50'000, 0}, 10, now);
  uint32_t added = 0;
  for (const ScaleStep& step : steps) added += step.pieces - 1;
  EXPECT_GT(added, 0u);
  EXPECT_LE(4 + added, 16u);
}

TEST(OnDemandScalerTest, NeverPlansPastTheAccountShardLimit) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(4);
  int64_t now = 0;
  // max_shards would allow 12 more; the account allows 3.
  const std::vector<ScaleStep> steps =
      Feed(scaler, shards, {50'000, 50'000, 50'000, 0}, 10, now, 3);
  uint32_t added = 0;
  for (const ScaleStep& step : steps) added += step.pieces - 1;
  EXPECT_GT(added, 0u);
  EXPECT_LE(added, 3u);
  EXPECT_TRUE(Feed(scaler, shards, {50'000, 50'000, 50'000, 0}, 10, now, 0).empty());
}

TEST(OnDemandScalerTest, MergesColdAdjacentPairsOnlyAfterTheCooldown) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(4);
  int64_t now = 0;
  ASSERT_FALSE(Feed(scaler, shards, {5000, 0, 0, 0}, 10, now).empty());  // a split at `now`
  const int64_t split_at = now;
  std::vector<ShardSample> after = Shards(4);  // the cold shards that followed
  for (ShardSample& shard : after) shard.index += 10;
  std::vector<ScaleStep> steps = Feed(scaler, after, {0, 0, 0, 0}, 8, now);
  EXPECT_TRUE(steps.empty()) << "merged before the cool-down";
  steps = Feed(scaler, after, {0, 0, 0, 0}, 5, now);
  EXPECT_GE(now - split_at, 10'000);
  ASSERT_EQ(steps.size(), 2u);  // two disjoint pairs, down to min_shards
  EXPECT_EQ(steps[0].shard, 10u);
  EXPECT_EQ(steps[0].merge_with, 11u);
  EXPECT_EQ(steps[1].shard, 12u);
  EXPECT_EQ(steps[1].merge_with, 13u);
}

TEST(OnDemandScalerTest, DoesNotMergeBelowMinShardsOrWarmPairs) {
  OnDemandOptions options = TestOptions();
  options.scale_down_cooldown_ms = 0;
  options.min_shards = 3;
  OnDemandScaler scaler(options);
  std::vector<ShardSample> shards = Shards(4);
  int64_t now = 0;
  // Pair (0,1) carries 0.3 of a shard: too warm. (1,2) carries 0.15: merged, which leaves
  // 3 shards, the minimum.
  const std::vector<ScaleStep> steps = Feed(scaler, shards, {150, 150, 0, 0}, 10, now);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].shard, 1u);
  EXPECT_EQ(steps[0].merge_with, 2u);
}

TEST(OnDemandScalerTest, OnlySamplesProvisionedStreams) {
  OnDemandScaler scaler(TestOptions());
  std::vector<ShardSample> shards = Shards(1);
  for (int64_t now = 1000; now <= 10'000; now += 1000) {
    shards[0].records += 5000;
    EXPECT_TRUE(scaler.Plan(7, shards, now, false, kNoAccountLimit).empty());
  }
  const std::vector<ShardRate> rates = scaler.Rates();
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_EQ(rates[0].stream_uid, 7u);
  EXPECT_DOUBLE_EQ(rates[0].records_per_sec, 5000);
}

}  // namespace
}  // namespace sluice::stream
