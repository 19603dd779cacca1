#include <gtest/gtest.h>

#include "sluice/producer.h"

namespace sluice::client {
namespace {

TEST(ProducerConfigTest, DefaultsAreTheKplDefaults) {
  ProducerConfig config;
  EXPECT_EQ(config.record_max_buffered_time_ms, 100u);
  EXPECT_TRUE(config.aggregation_enabled);
  EXPECT_EQ(config.aggregation_max_count, 4294967295u);
  EXPECT_EQ(config.aggregation_max_size, 51200u);
  EXPECT_EQ(config.collection_max_count, 500u);
  EXPECT_EQ(config.collection_max_size, 5242880u);
  EXPECT_EQ(config.max_connections, 24u);
  EXPECT_EQ(config.request_timeout_ms, 6000u);
  EXPECT_EQ(config.record_ttl_ms, 30000u);
  EXPECT_EQ(config.rate_limit, 150u);
  EXPECT_FALSE(config.fail_if_throttled);
  EXPECT_TRUE(config.Validate());
}

TEST(ProducerConfigTest, SetTakesKplPropertyNamesAndFieldNames) {
  ProducerConfig config;
  ASSERT_TRUE(config.Set("RecordMaxBufferedTime", "250"));
  ASSERT_TRUE(config.Set("AggregationEnabled", "false"));
  ASSERT_TRUE(config.Set("RateLimit", "90"));
  ASSERT_TRUE(config.Set("FailIfThrottled", "true"));
  ASSERT_TRUE(config.Set("KinesisEndpoint", "http://127.0.0.1:4567"));
  ASSERT_TRUE(config.Set("compression", "zstd"));
  ASSERT_TRUE(config.Set("buffer_full_policy", "fail"));
  ASSERT_TRUE(config.Set("max_outstanding_records", "10"));
  EXPECT_EQ(config.record_max_buffered_time_ms, 250u);
  EXPECT_FALSE(config.aggregation_enabled);
  EXPECT_EQ(config.rate_limit, 90u);
  EXPECT_TRUE(config.fail_if_throttled);
  EXPECT_EQ(config.endpoint, "http://127.0.0.1:4567");
  EXPECT_EQ(config.compression, Compression::kZstd);
  EXPECT_EQ(config.buffer_full_policy, BufferFullPolicy::kFail);
  EXPECT_EQ(config.max_outstanding_records, 10u);
}

TEST(ProducerConfigTest, SetRefusesUnknownNamesAndBadValues) {
  ProducerConfig config;
  EXPECT_FALSE(config.Set("NoSuchSetting", "1"));
  EXPECT_FALSE(config.Set("RateLimit", "-1"));
  EXPECT_FALSE(config.Set("RateLimit", "12x"));
  EXPECT_FALSE(config.Set("AggregationEnabled", "maybe"));
  EXPECT_FALSE(config.Set("compression", "lzma"));
}

TEST(ProducerConfigTest, ValidateChecksKplRanges) {
  auto invalid = [](auto change) {
    ProducerConfig config;
    change(config);
    return !config.Validate();
  };
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.collection_max_count = 501; }));
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.collection_max_size = 100; }));
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.aggregation_max_size = 2 << 20; }));
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.max_connections = 0; }));
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.record_ttl_ms = 10; }));
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.rate_limit = 0; }));
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.endpoint = "kinesis.local"; }));
  EXPECT_TRUE(invalid([](ProducerConfig& c) { c.io_threads = 0; }));
}

}  // namespace
}  // namespace sluice::client
