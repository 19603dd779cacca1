// StreamManager's on-demand capacity: sampling every shard's write totals and carrying out
// the OnDemandScaler's plan as ordinary splits and merges.
#include <spdlog/spdlog.h>

#include "stream/stream_manager.h"

namespace sluice::stream {

void StreamManager::Scale(const std::vector<std::shared_ptr<Stream>>& streams, int64_t now_ms) {
  for (const std::shared_ptr<Stream>& stream : streams) {
    if (stream->info.status != StreamStatus::kActive) continue;
    std::vector<ShardSample> samples;
    for (const LiveShard* shard : stream->shards()->Open()) {
      samples.push_back(ShardSample{shard->info.index, shard->info.range,
                                    shard->traffic->records_written(),
                                    shard->traffic->bytes_written()});
    }
    const bool on_demand = stream->info.mode == StreamMode::kOnDemand;
    // Only on-demand streams split on their own, so only they need the account's headroom.
    const size_t headroom =
        on_demand ? static_cast<size_t>(std::max<int64_t>(Limits().shard_headroom(), 0)) : 0;
    for (const ScaleStep& step :
         scaler_.Plan(stream->info.uid, samples, now_ms, on_demand, headroom)) {
      Status done = step.merge_with
                        ? Merge(*stream, step.shard, *step.merge_with).map([](auto&&) {})
                        : SplitInto(*stream, step.shard, step.pieces);
      if (!done) {
        spdlog::error("scaling stream '{}': {}", stream->info.name, done.error().message);
        break;
      }
      if (step.merge_with) {
        spdlog::info("stream '{}': merged cold {} and {}", stream->info.name, ShardIdOf(step.shard),
                     ShardIdOf(*step.merge_with));
      } else {
        spdlog::info("stream '{}': split hot {} into {}", stream->info.name, ShardIdOf(step.shard),
                     step.pieces);
      }
    }
  }
}

std::vector<ShardRate> StreamManager::ShardRates() const {
  std::lock_guard lock(mu_);
  std::vector<ShardRate> rates = scaler_.Rates();
  for (ShardRate& rate : rates) {
    if (std::shared_ptr<Stream> stream = FindByUid(rate.stream_uid)) {
      rate.stream_name = stream->info.name;
    }
  }
  return rates;
}

}  // namespace sluice::stream
