#include "stream/on_demand_scaler.h"

#include <algorithm>
#include <cmath>

namespace sluice::stream {

namespace {

// Merged shards together carry less than this share of one shard's capacity.
constexpr double kColdPairLoad = 0.25;

uint32_t NextPowerOfTwo(double value) {
  uint32_t pieces = 2;
  while (pieces < value && pieces < (1u << 30)) pieces *= 2;
  return pieces;
}

}  // namespace

OnDemandScaler::WindowRate OnDemandScaler::RateOver(const std::deque<Point>& points,
                                                    int64_t span_ms) {
  WindowRate rate;
  if (points.size() < 2) return rate;
  const Point& last = points.back();
  const Point& first = points.front();
  const double seconds = static_cast<double>(last.ms - first.ms) / 1000;
  if (seconds <= 0) return rate;
  rate.records_per_sec = static_cast<double>(last.records - first.records) / seconds;
  rate.bytes_per_sec = static_cast<double>(last.bytes - first.bytes) / seconds;
  rate.full = last.ms - first.ms >= span_ms;
  return rate;
}

double OnDemandScaler::Load(const WindowRate& rate) const {
  return std::max(rate.records_per_sec / options_.shard_write_records_per_sec,
                  rate.bytes_per_sec / options_.shard_write_bytes_per_sec);
}

std::vector<ScaleStep> OnDemandScaler::Plan(uint64_t stream_uid,
                                            const std::vector<ShardSample>& open, int64_t now_ms,
                                            bool on_demand, size_t account_headroom) {
  StreamHistory& history = streams_[stream_uid];
  std::map<uint32_t, ShardHistory> sampled;
  for (const ShardSample& sample : open) {
    ShardHistory& shard = sampled[sample.index];
    shard = std::move(history.shards[sample.index]);  // new shards start empty
    shard.points.push_back(Point{now_ms, sample.records, sample.bytes});
    // Keep one point at or before the window's start so the average spans the window.
    while (shard.points.size() > 2 && shard.points[1].ms <= now_ms - options_.window_ms) {
      shard.points.pop_front();
    }
  }
  history.shards = std::move(sampled);  // closed shards drop out
  if (!on_demand) return {};

  const size_t budget =
      std::min(options_.max_shards > open.size() ? options_.max_shards - open.size() : size_t{0},
               account_headroom);
  std::vector<ScaleStep> steps = Splits(history, open, budget);
  if (!steps.empty()) {
    history.last_split_ms = now_ms;
    return steps;
  }
  if (now_ms - history.last_split_ms < options_.scale_down_cooldown_ms) return {};
  return Merges(history, open);
}

std::vector<ScaleStep> OnDemandScaler::Splits(const StreamHistory& history,
                                              const std::vector<ShardSample>& open,
                                              size_t budget) const {
  // Loads of the shards with a whole window of history, busiest first.
  std::vector<std::pair<double, uint32_t>> loads;
  double total = 0;
  for (const ShardSample& sample : open) {
    const WindowRate rate = RateOver(history.shards.at(sample.index).points, options_.window_ms);
    if (!rate.full) continue;
    loads.emplace_back(Load(rate), sample.index);
    total += loads.back().first;
  }
  std::sort(loads.rbegin(), loads.rend());
  // The stream keeps capacity for twice its rate, so a doubling spike finds it waiting:
  // a hot shard is cut into enough shards for twice its own rate, and shards are split
  // (busiest first) while the stream has fewer than twice its load in shards.
  const double wanted = std::ceil(2 * total);
  double projected = static_cast<double>(open.size());
  std::vector<ScaleStep> steps;
  for (const auto& [load, index] : loads) {
    uint32_t pieces = load > 1 ? NextPowerOfTwo(2 * load) : projected < wanted ? 2 : 0;
    while (pieces > 2 && pieces - 1 > budget) pieces /= 2;
    if (pieces == 0 || pieces - 1 > budget) break;
    budget -= pieces - 1;
    projected += pieces - 1;
    steps.push_back(ScaleStep{index, std::nullopt, pieces});
  }
  return steps;
}

std::vector<ScaleStep> OnDemandScaler::Merges(const StreamHistory& history,
                                              const std::vector<ShardSample>& open) const {
  // `open` is ordered by hash range; pairs are taken left to right, each shard once.
  std::vector<ScaleStep> steps;
  size_t remaining = open.size();
  for (size_t i = 0; i + 1 < open.size() && remaining > options_.min_shards; ++i) {
    const ShardSample& left = open[i];
    const ShardSample& right = open[i + 1];
    if (left.range.end + 1 != right.range.start) continue;
    const WindowRate a = RateOver(history.shards.at(left.index).points, options_.window_ms);
    const WindowRate b = RateOver(history.shards.at(right.index).points, options_.window_ms);
    if (!a.full || !b.full || Load(a) + Load(b) >= kColdPairLoad) continue;
    steps.push_back(ScaleStep{left.index, right.index, 0});
    --remaining;
    ++i;
  }
  return steps;
}

std::vector<ShardRate> OnDemandScaler::Rates() const {
  std::vector<ShardRate> rates;
  for (const auto& [uid, stream] : streams_) {
    for (const auto& [index, shard] : stream.shards) {
      const auto& points = shard.points;
      ShardRate rate{uid, {}, index, 0, 0};
      if (points.size() >= 2) {
        std::deque<Point> last(points.end() - 2, points.end());
        const WindowRate interval = RateOver(last, 0);
        rate.records_per_sec = interval.records_per_sec;
        rate.bytes_per_sec = interval.bytes_per_sec;
      }
      rates.push_back(rate);
    }
  }
  return rates;
}

}  // namespace sluice::stream
