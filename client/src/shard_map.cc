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
  // The last shard starting at or before `key`.
  auto after = std::upper_bound(shards_.begin(), shards_.end(), key,
                                [](HashKey k, const ShardRange& shard) { return k < shard.start; });
  if (after == shards_.begin()) return std::nullopt;
  const auto index = static_cast<size_t>(after - shards_.begin()) - 1;
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
