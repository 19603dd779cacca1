#include "stream/shard_set.h"

#include <algorithm>
#include <climits>
#include <set>

namespace sluice::stream {

ShardSet::ShardSet(std::vector<LiveShard> shards) : shards_(std::move(shards)) {
  std::sort(shards_.begin(), shards_.end(),
            [](const LiveShard& a, const LiveShard& b) { return a.info.index < b.info.index; });
  std::set<uint32_t> parents;
  for (const LiveShard& shard : shards_) {
    if (shard.info.parent_index) parents.insert(*shard.info.parent_index);
    if (shard.info.adjacent_parent_index) parents.insert(*shard.info.adjacent_parent_index);
  }
  for (size_t i = 0; i < shards_.size(); ++i) {
    const ShardInfo& info = shards_[i].info;
    if (info.open() && parents.count(info.index) == 0) routes_.emplace_back(info.range.start, i);
  }
  std::sort(routes_.begin(), routes_.end());
}

const LiveShard* ShardSet::Find(uint32_t index) const {
  auto it =
      std::lower_bound(shards_.begin(), shards_.end(), index,
                       [](const LiveShard& shard, uint32_t i) { return shard.info.index < i; });
  return it != shards_.end() && it->info.index == index ? &*it : nullptr;
}

size_t ShardSet::Route(HashKey key) const {
  // The last route starting at or before `key` (the open shards cover the key space, so
  // the first starts at 0), by a binary search without branches: random keys would
  // mispredict every step of one.
  const std::pair<HashKey, size_t>* base = routes_.data();
  for (size_t n = routes_.size(); n > 1; n -= n / 2) {
    base = base[n / 2].first <= key ? base + n / 2 : base;
  }
  return base->second;
}

bool ShardSet::IsOpen(uint32_t index) const {
  return std::any_of(routes_.begin(), routes_.end(),
                     [&](const auto& route) { return shards_[route.second].info.index == index; });
}

std::vector<const LiveShard*> ShardSet::Open() const {
  std::vector<const LiveShard*> open;
  for (const auto& route : routes_) open.push_back(&shards_[route.second]);
  return open;
}

std::vector<ShardInfo> ShardSet::ChildrenOf(uint32_t index) const {
  std::vector<ShardInfo> children;
  for (const LiveShard& shard : shards_) {
    if (shard.info.parent_index == index || shard.info.adjacent_parent_index == index) {
      children.push_back(shard.info);
    }
  }
  return children;
}

uint32_t ShardSet::next_index() const {
  return shards_.empty() ? 0 : shards_.back().info.index + 1;
}

}  // namespace sluice::stream
