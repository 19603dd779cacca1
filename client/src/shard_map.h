#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/hash_key.h"
#include "kinesis_calls.h"

namespace sluice::client {

struct ShardRange {
  std::string shard_id;
  HashKey start = 0;
  HashKey end = 0;

  bool Contains(HashKey key) const { return key >= start && key <= end; }
};

// The open shards of a stream by hash key range, as ListShards reported them: which shard
// a hash key goes to. Immutable; rebuilt after a reshard.
class ShardMap {
 public:
  ShardMap() = default;
  // Keeps the open shards of `listing`, sorted by starting hash key.
  static ShardMap FromListing(const std::vector<ListedShard>& listing);

  // The index in shards() of the shard owning `key`; nullopt in a gap (a map taken
  // mid-reshard may have one).
  std::optional<size_t> Lookup(HashKey key) const;
  const ShardRange* Find(std::string_view shard_id) const;
  const std::vector<ShardRange>& shards() const { return shards_; }
  bool empty() const { return shards_.empty(); }

 private:
  std::vector<ShardRange> shards_;
};

}  // namespace sluice::client
