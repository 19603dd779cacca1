#include "shard_map.h"

#include <algorithm>

namespace sluice::client {

ShardMap ShardMap::FromListing(const std::vector<ListedShard>& listing) {
  ShardMap map;
  for (const ListedShard& shard : listing) {
    if (shard.open) map.shards_.push_back(ShardRange{shard.shard_id, shard.start, shard.end});
  }
  std::sort(map.shards_.begin(), map.shards_.end(),
            [](const ShardRange& a, const ShardRange& b) { return a.start < b.start; });
  return map;
}

std::optional<size_t> ShardMap::Lookup(HashKey key) const {
  // The last shard starting at or before `key`. Hash keys are random, so a binary search's
  // branches are a coin toss each: a stream's usual few shards are counted without branches.
  constexpr size_t kCountedShards = 16;
  size_t after = 0;
  if (shards_.size() <= kCountedShards) {
    for (const ShardRange& shard : shards_) after += static_cast<size_t>(shard.start <= key);
  } else {
    after = static_cast<size_t>(
        std::upper_bound(shards_.begin(), shards_.end(), key,
                         [](HashKey k, const ShardRange& shard) { return k < shard.start; }) -
        shards_.begin());
  }
  if (after == 0) return std::nullopt;
  const size_t index = after - 1;
  if (!shards_[index].Contains(key)) return std::nullopt;
  return index;
}

const ShardRange* ShardMap::Find(std::string_view shard_id) const {
  for (const ShardRange& shard : shards_) {
    if (shard.shard_id == shard_id) return &shard;
  }
  return nullptr;
}

}  // namespace sluice::client
