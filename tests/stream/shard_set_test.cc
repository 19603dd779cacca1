#include "stream/shard_set.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "common/hash_key.h"

namespace sluice::stream {
namespace {

// A set of `count` open shards splitting the key space evenly, plus a closed parent
// that covered all of it (routing must ignore it).
ShardSet EvenSet(uint32_t count) {
  std::vector<LiveShard> shards;
  LiveShard parent;
  parent.info.index = 0;
  parent.info.range = HashKeyRange{0, kMaxHashKey};
  parent.info.end_position = 10;
  shards.push_back(parent);
  const std::vector<HashKeyRange> ranges = SplitHashKeySpace(count);
  for (uint32_t i = 0; i < count; ++i) {
    LiveShard shard;
    shard.info.index = count - i;  // in no particular order
    shard.info.parent_index = 0;
    shard.info.range = ranges[i];
    shards.push_back(shard);
  }
  return ShardSet(std::move(shards));
}

TEST(ShardSetTest, RoutesEveryKeyToTheOpenShardWhoseRangeHoldsIt) {
  std::mt19937_64 random(7);
  for (uint32_t count : {1u, 2u, 3u, 4u, 5u, 16u, 17u, 63u, 64u, 65u, 200u}) {
    const ShardSet set = EvenSet(count);
    std::vector<HashKey> keys = {0, kMaxHashKey};
    for (const HashKeyRange& range : SplitHashKeySpace(count)) {
      keys.push_back(range.start);
      keys.push_back(range.end);
      if (range.start > 0) keys.push_back(range.start - 1);
    }
    for (int i = 0; i < 200; ++i) keys.push_back((HashKey{random()} << 64) | random());
    for (HashKey key : keys) {
      const LiveShard& shard = set.all()[set.Route(key)];
      ASSERT_TRUE(shard.info.open()) << count;
      ASSERT_LE(shard.info.range.start, key) << count;
      ASSERT_GE(shard.info.range.end, key) << count;
    }
  }
}

}  // namespace
}  // namespace sluice::stream
