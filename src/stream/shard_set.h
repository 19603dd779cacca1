#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common/hash_key.h"
#include "storage/shard_log.h"
#include "stream/shard_traffic.h"
#include "stream/stream_info.h"

namespace sluice::stream {

// A shard at run time: its description, its log and its traffic accounting.
struct LiveShard {
  ShardInfo info;
  std::shared_ptr<storage::ShardLog> log;
  std::shared_ptr<ShardTraffic> traffic;
};

// An immutable snapshot of a stream's shards. A reshard publishes a new one; requests
// holding the old one finish with it (its logs stay valid while they hold it).
class ShardSet {
 public:
  // `shards` in any order. A shard is open when it has no end position and no child.
  explicit ShardSet(std::vector<LiveShard> shards);

  const std::vector<LiveShard>& all() const { return shards_; }
  const LiveShard* Find(uint32_t index) const;
  // The open shard whose hash range holds `key`, as a position in all().
  size_t Route(HashKey key) const;
  bool IsOpen(uint32_t index) const;
  size_t open_count() const { return routes_.size(); }
  // The open shards, ordered by hash range.
  std::vector<const LiveShard*> Open() const;
  // The shards that `index` was split or merged into.
  std::vector<ShardInfo> ChildrenOf(uint32_t index) const;
  // One more than the highest shard index (the next reshard's first child).
  uint32_t next_index() const;

 private:
  std::vector<LiveShard> shards_;  // by index
  // Open shards as (start of hash range, position in shards_), sorted: PutRecords routes
  // each key by binary search.
  std::vector<std::pair<HashKey, size_t>> routes_;
};

}  // namespace sluice::stream
