#pragma once

#include <string>

#include "stream/stream_manager.h"

namespace sluice::http {

// Appends the Kinesis stream gauges to a Prometheus scrape: open shards per stream and
// each shard's write rate over the scaler's last sampling interval. A Metrics collector.
void RenderStreamMetrics(const stream::StreamManager& streams, std::string& out);

}  // namespace sluice::http
