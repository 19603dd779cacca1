#include "http/stream_metrics.h"

#include <fmt/format.h>

#include "http/metrics.h"

namespace sluice::http {

void RenderStreamMetrics(const stream::StreamManager& streams, std::string& out) {
  auto append = std::back_inserter(out);
  AppendMetricHeader(out, "sluice_kinesis_open_shards", "gauge", "Open shards per stream.");
  for (const stream::StreamInfo& info : streams.List()) {
    fmt::format_to(append, "sluice_kinesis_open_shards{{stream=\"{}\"}} {}\n", info.name,
                   info.open_shard_count());
  }
  const std::vector<stream::ShardRate> rates = streams.ShardRates();
  auto per_shard = [&](std::string_view name, std::string_view help, auto value) {
    AppendMetricHeader(out, name, "gauge", help);
    for (const stream::ShardRate& rate : rates) {
      fmt::format_to(append, "{}{{stream=\"{}\",shard=\"{}\"}} {:.1f}\n", name, rate.stream_name,
                     stream::ShardIdOf(rate.shard_index), value(rate));
    }
  };
  per_shard("sluice_kinesis_shard_write_records_per_second",
            "Records stored per second by shard, over the last sampling interval.",
            [](const stream::ShardRate& rate) { return rate.records_per_sec; });
  per_shard("sluice_kinesis_shard_write_bytes_per_second",
            "Bytes stored per second by shard, over the last sampling interval.",
            [](const stream::ShardRate& rate) { return rate.bytes_per_sec; });
}

}  // namespace sluice::http
