#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace sluice::server {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-config-" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { std::filesystem::remove(path_); }

  Status Apply(const std::string& yaml) {
    std::ofstream(path_) << yaml;
    return ApplyConfigFile(path_, config_);
  }

  std::filesystem::path path_;
  ServerConfig config_;
};

TEST_F(ConfigTest, DefaultsAreTheEmbeddedOnes) {
  EXPECT_EQ(config_.http.host, "127.0.0.1");
  EXPECT_EQ(config_.http.port, 4567);
  EXPECT_EQ(config_.data_dir, "./sluice-data");
  EXPECT_EQ(config_.region, "us-east-1");
  EXPECT_EQ(config_.account_id, "000000000000");
  EXPECT_TRUE(config_.access_keys.empty());
}

TEST_F(ConfigTest, ParsesListenAddresses) {
  http::ServerOptions options;
  ASSERT_TRUE(ParseListenAddress("0.0.0.0:8080", options));
  EXPECT_EQ(options.host, "0.0.0.0");
  EXPECT_EQ(options.port, 8080);
  ASSERT_TRUE(ParseListenAddress("[::1]:0", options));
  EXPECT_EQ(options.host, "::1");
  EXPECT_EQ(options.port, 0);
}

TEST_F(ConfigTest, RefusesBadListenAddresses) {
  http::ServerOptions options;
  for (std::string_view text : {"4567", ":4567", "host:", "host:65536", "host:12x"}) {
    EXPECT_FALSE(ParseListenAddress(text, options)) << text;
  }
}

TEST_F(ConfigTest, AppliesAFile) {
  ASSERT_TRUE(Apply(R"(
listen: 127.0.0.1:9000
data_dir: /var/lib/sluice
region: eu-west-1
account_id: "123456789012"
log_level: debug
http:
  threads: 3
  max_body_bytes: 1024
  read_timeout_ms: 500
  idle_timeout_ms: 700
access_keys:
  - access_key_id: AKID
    secret_access_key: secret
)"));
  EXPECT_EQ(config_.http.port, 9000);
  EXPECT_EQ(config_.data_dir, "/var/lib/sluice");
  EXPECT_EQ(config_.region, "eu-west-1");
  EXPECT_EQ(config_.account_id, "123456789012");
  EXPECT_EQ(config_.log_level, "debug");
  EXPECT_EQ(config_.http.threads, 3u);
  EXPECT_EQ(config_.http.max_body_bytes, 1024u);
  EXPECT_EQ(config_.http.read_timeout.count(), 500);
  EXPECT_EQ(config_.http.idle_timeout.count(), 700);
  ASSERT_EQ(config_.access_keys.size(), 1u);
  EXPECT_EQ(config_.access_keys[0].access_key_id, "AKID");
}

TEST_F(ConfigTest, AppliesTheKinesisCapacitySettings) {
  ASSERT_TRUE(Apply(R"(
kinesis:
  enforce_limits: false
  on_demand:
    shard_write_records_per_sec: 200
    window_ms: 2000
    interval_ms: 500
    min_shards: 2
    max_shards: 32
    max_write_bytes_per_sec: 1048576
)"));
  EXPECT_FALSE(config_.enforce_limits);
  EXPECT_EQ(config_.on_demand.shard_write_records_per_sec, 200);
  EXPECT_EQ(config_.on_demand.shard_write_bytes_per_sec, 1 << 20);  // default kept
  EXPECT_EQ(config_.on_demand.window_ms, 2000);
  EXPECT_EQ(config_.on_demand.interval_ms, 500);
  EXPECT_EQ(config_.on_demand.min_shards, 2u);
  EXPECT_EQ(config_.on_demand.max_shards, 32u);
  EXPECT_EQ(config_.on_demand.max_write_bytes_per_sec, 1 << 20);
}

TEST_F(ConfigTest, RefusesInconsistentOnDemandSettings) {
  EXPECT_FALSE(Apply("kinesis:\n  on_demand:\n    window_ms: 100\n    interval_ms: 1000\n"));
  EXPECT_FALSE(Apply("kinesis:\n  on_demand:\n    min_shards: 8\n    max_shards: 4\n"));
  EXPECT_FALSE(Apply("kinesis:\n  on_demand:\n    shard_write_records_per_sec: 0\n"));
  auto unknown = Apply("kinesis:\n  on_demand:\n    max_shard: 4\n");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("'kinesis.on_demand.max_shard'"), std::string::npos);
}

TEST_F(ConfigTest, AnEmptyFileChangesNothing) {
  ASSERT_TRUE(Apply(""));
  EXPECT_EQ(config_.http.port, 4567);
}

TEST_F(ConfigTest, RefusesUnknownKeysByName) {
  auto top = Apply("listne: 127.0.0.1:1\n");
  ASSERT_FALSE(top);
  EXPECT_NE(top.error().message.find("'listne'"), std::string::npos);
  auto nested = Apply("http:\n  max_body: 1\n");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("'http.max_body'"), std::string::npos);
}

TEST_F(ConfigTest, RefusesWrongValueTypes) {
  EXPECT_FALSE(Apply("http:\n  threads: many\n"));
  EXPECT_FALSE(Apply("access_keys: AKID\n"));
  EXPECT_FALSE(Apply("- a\n- b\n"));
}

}  // namespace
}  // namespace sluice::server
