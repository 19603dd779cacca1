#include "shard_map.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::client {
namespace {

TEST(ShardMapTest, LooksUpOpenShardsByRange) {
  ShardMap map = ShardMap::FromListing({{"shardId-2", 100, 199, true},
                                        {"shardId-0", 0, 199, false},
                                        {"shardId-1", 0, 99, true},
                                        {"shardId-3", 200, kMaxHashKey, true}});
  ASSERT_EQ(map.shards().size(), 3u);
  EXPECT_EQ(map.shards()[*map.Lookup(0)].shard_id, "shardId-1");
  EXPECT_EQ(map.shards()[*map.Lookup(99)].shard_id, "shardId-1");
  EXPECT_EQ(map.shards()[*map.Lookup(100)].shard_id, "shardId-2");
  EXPECT_EQ(map.shards()[*map.Lookup(kMaxHashKey)].shard_id, "shardId-3");
  EXPECT_EQ(map.Find("shardId-0"), nullptr);
  ASSERT_NE(map.Find("shardId-2"), nullptr);
  EXPECT_TRUE(map.Find("shardId-2")->Contains(150));
}

TEST(ShardMapTest, GapsAndEmptyMapsPredictNothing) {
  ShardMap map = ShardMap::FromListing({{"a", 10, 19, true}, {"b", 30, 39, true}});
  EXPECT_FALSE(map.Lookup(5));
  EXPECT_FALSE(map.Lookup(25));
  EXPECT_FALSE(map.Lookup(40));
  EXPECT_FALSE(ShardMap().Lookup(0));
}

TEST(ShardMapTest, LooksUpEveryShardOfSmallAndLargeMaps) {
  for (uint32_t count : {1u, 4u, 16u, 17u, 200u}) {
    std::vector<ListedShard> listing;
    const std::vector<HashKeyRange> ranges = SplitHashKeySpace(count);
    for (uint32_t i = 0; i < count; ++i) {
      listing.push_back({"shardId-" + std::to_string(i), ranges[i].start, ranges[i].end, true});
    }
    const ShardMap map = ShardMap::FromListing(listing);
    for (uint32_t i = 0; i < count; ++i) {
      for (HashKey key : {ranges[i].start, ranges[i].start + (ranges[i].end - ranges[i].start) / 2,
                          ranges[i].end}) {
        ASSERT_EQ(map.Lookup(key), i) << count << " shards, key in shard " << i;
      }
    }
  }
}

}  // namespace
}  // namespace sluice::client
