#include "producer_metrics.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

TEST(ProducerMetricsTest, HistogramIsCumulative) {
  Histogram histogram;
  histogram.Observe(std::chrono::microseconds(500));
  histogram.Observe(std::chrono::milliseconds(3));
  histogram.Observe(std::chrono::seconds(60));
  LatencyHistogram snapshot = histogram.Snapshot();
  ASSERT_EQ(snapshot.counts.size(), snapshot.bounds_ms.size() + 1);
  EXPECT_EQ(snapshot.counts[0], 1u);  // ≤ 1 ms
  EXPECT_EQ(snapshot.counts[1], 1u);  // ≤ 2 ms
  EXPECT_EQ(snapshot.counts[2], 2u);  // ≤ 5 ms
  EXPECT_EQ(snapshot.counts.back(), 3u);
  EXPECT_EQ(snapshot.count, 3u);
  EXPECT_NEAR(snapshot.sum_ms, 60003.5, 0.01);
}

TEST(ProducerMetricsTest, CountersAddUpIncludingErrorsByCode) {
  PutCounters total;
  EXPECT_TRUE(total.empty());
  PutCounters shard;
  shard.user_records_put = 5;
  shard.user_record_bytes_put = 500;
  shard.kinesis_records_put = 1;
  shard.kinesis_record_bytes_put = 520;
  shard.retries = 2;
  shard.errors_by_code["InternalFailure"] = 2;
  total += shard;
  shard.user_records_failed = 1;
  shard.errors_by_code["ProvisionedThroughputExceededException"] = 1;
  total += shard;
  EXPECT_FALSE(total.empty());
  EXPECT_EQ(total.user_records_put, 10u);
  EXPECT_EQ(total.user_records_failed, 1u);
  EXPECT_EQ(total.user_record_bytes_put, 1000u);
  EXPECT_EQ(total.kinesis_records_put, 2u);
  EXPECT_EQ(total.kinesis_record_bytes_put, 1040u);
  EXPECT_EQ(total.retries, 4u);
  EXPECT_EQ(total.errors_by_code,
            (std::map<std::string, uint64_t>{{"InternalFailure", 4},
                                             {"ProvisionedThroughputExceededException", 1}}));
}

TEST(ProducerMetricsTest, PrometheusTextHasStreamAndShardLabels) {
  MetricsSnapshot snapshot;
  StreamMetrics& stream = snapshot.streams.emplace_back();
  stream.stream = "trips";
  stream.user_records_received = 7;
  stream.user_records_pending = 2;
  ShardMetrics& shard = stream.shards.emplace_back();
  shard.shard_id = "shardId-000000000001";
  shard.user_records_put = 5;
  shard.errors_by_code["ProvisionedThroughputExceededException"] = 3;
  stream.request_latency = Histogram().Snapshot();
  stream.buffering_time = Histogram().Snapshot();
  snapshot.outstanding_records = 2;
  const std::string text = RenderPrometheus(snapshot);
  EXPECT_NE(text.find("# TYPE sluice_producer_user_records_put_total counter"), std::string::npos);
  EXPECT_NE(text.find("sluice_producer_user_records_received_total{stream=\"trips\"} 7"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_producer_user_records_put_total{stream=\"trips\",shard=\"shardId-"
                      "000000000001\"} 5"),
            std::string::npos);
  EXPECT_NE(
      text.find("sluice_producer_errors_total{stream=\"trips\",shard=\"shardId-000000000001\","
                "code=\"ProvisionedThroughputExceededException\"} 3"),
      std::string::npos);
  EXPECT_NE(
      text.find("sluice_producer_request_latency_seconds_bucket{stream=\"trips\",le=\"+Inf\"}"),
      std::string::npos);
  EXPECT_NE(text.find("sluice_producer_outstanding_records 2"), std::string::npos);
}

}  // namespace
}  // namespace sluice::client
