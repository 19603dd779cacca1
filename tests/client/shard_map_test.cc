#include "shard_map.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sluice::client
