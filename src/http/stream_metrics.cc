#include "http/stream_metrics.h"

#include <fmt/format.h>

#include "http/metrics.h"

namespace sluice::http {

void RenderStreamMetrics(const stream::StreamManager& streams, std::string& out) {
  auto append = std::back_inserter(out);
  AppendMetricHeader(out, "sluice_kinesis_open_shards", "gauge", "Open shards per stream.");
  for (const stream::StreamInfo& info : streams.List()) {
    size_t open = 0;
    for (const stream::ShardInfo& shard : info.shards) open += shard.open() ? 1 : 0;
    fmt::format_to(append, "sluice_kinesis_open_shards{{stream=\"{}\"}} {}\n", info.name, open);
  }
  const std::vector<stream::ShardRate> rates = streams.ShardRates();
  AppendMetricHeader(out, "sluice_kinesis_shard_write_records_per_second", "gauge",
                     "Records stored per second by shard, over the last sampling interval.");
  for (const stream::ShardRate& rate : rates) {
    fmt::format_to(append,
                   "sluice_kinesis_shard_write_records_per_second{{stream=\"{}\",shard=\"{}\"}} "
                   "{:.1f}\n",
                   rate.stream_name, stream::ShardIdOf(rate.shard_index), rate.records_per_sec);
  }
  AppendMetricHeader(out, "sluice_kinesis_shard_write_bytes_per_second", "gauge",
                     "Bytes stored per second by shard, over the last sampling interval.");
  for (const stream::ShardRate& rate : rates) {
    fmt::format_to(append,
                   "sluice_kinesis_shard_write_bytes_per_second{{stream=\"{}\",shard=\"{}\"}} "
                   "{:.1f}\n",
                   rate.stream_name, stream::ShardIdOf(rate.shard_index), rate.bytes_per_sec);
  }
}

}  // namespace sluice::http
