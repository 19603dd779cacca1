#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/hash_key.h"

namespace sluice::stream {

// How on-demand streams follow their traffic (configuration: kinesis.on_demand.*).
struct OnDemandOptions {
  // One shard's write capacity; a shard whose average over `window_ms` exceeds either is
  // split, into enough shards to carry twice that rate.
  double shard_write_bytes_per_sec = 1 << 20;
  double shard_write_records_per_sec = 1000;
  int64_t window_ms = 5'000;
  int64_t interval_ms = 1'000;  // how often shards are sampled and the plan made
  // After the last split, adjacent shards that together carry under a quarter of one
  // shard's capacity are merged back, down to min_shards.
  int64_t scale_down_cooldown_ms = 600'000;
  uint32_t min_shards = 4;
  uint32_t max_shards = 64;  // open shards of one on-demand stream
  // Past this the stream refuses writes (ProvisionedThroughputExceededException).
  double max_write_bytes_per_sec = 200 << 20;
};

// One open shard's running totals at one instant.
struct ShardSample {
  uint32_t index = 0;
  HashKeyRange range;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

// A shard's write rate averaged over the last sampling interval.
struct ShardRate {
  uint64_t stream_uid = 0;
  std::string stream_name;  // filled in by the stream manager
  uint32_t shard_index = 0;
  double records_per_sec = 0;
  double bytes_per_sec = 0;
};

// One resharding step of a plan.
struct ScaleStep {
  uint32_t shard = 0;
  std::optional<uint32_t> merge_with;  // set: merge `shard` with this adjacent shard
  uint32_t pieces = 0;                 // split: cut `shard` into this many (a power of two)
};

// The on-demand controller's decisions, from samples of every open shard's totals. Pure
// logic (no clock, no I/O): the stream manager samples, asks, and reshards. Not
// thread-safe.
class OnDemandScaler {
 public:
  explicit OnDemandScaler(OnDemandOptions options) : options_(options) {}

  // Records the totals of a stream's open shards and returns the steps to take now:
  // splits of hot shards, or merges of cold adjacent pairs after the cool-down. Splits add
  // at most `account_headroom` open shards (what the account's shard limit still allows).
  std::vector<ScaleStep> Plan(uint64_t stream_uid, const std::vector<ShardSample>& open,
                              int64_t now_ms, bool on_demand, size_t account_headroom);
  // The latest interval's rates of every shard sampled.
  std::vector<ShardRate> Rates() const;
  void Forget(uint64_t stream_uid) { streams_.erase(stream_uid); }
  const OnDemandOptions& options() const { return options_; }

 private:
  struct Point {
    int64_t ms;
    uint64_t records;
    uint64_t bytes;
  };
  struct ShardHistory {
    std::deque<Point> points;  // oldest first, covering about window_ms
  };
  struct StreamHistory {
    std::map<uint32_t, ShardHistory> shards;
    int64_t last_split_ms = 0;
  };
  struct WindowRate {
    double records_per_sec = 0;
    double bytes_per_sec = 0;
    bool full = false;  // the history covers the whole window
  };

  static WindowRate RateOver(const std::deque<Point>& points, int64_t span_ms);
  // How many times one shard's capacity `rate` is.
  double Load(const WindowRate& rate) const;
  std::vector<ScaleStep> Splits(const StreamHistory& history, const std::vector<ShardSample>& open,
                                size_t budget) const;
  std::vector<ScaleStep> Merges(const StreamHistory& history,
                                const std::vector<ShardSample>& open) const;

  const OnDemandOptions options_;
  std::map<uint64_t, StreamHistory> streams_;
};

}  // namespace sluice::stream
