#include "endpoint.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

TEST(EndpointTest, ParsesHttpWithPort) {
  auto endpoint = Endpoint::Parse("http://127.0.0.1:4567");
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  EXPECT_FALSE(endpoint->tls);
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 4567);
  EXPECT_EQ(endpoint->path, "/");
  EXPECT_EQ(endpoint->host_header, "127.0.0.1:4567");
}

TEST(EndpointTest, ParsesHttpsDefaultsAndPath) {
  auto endpoint = Endpoint::Parse("https://kinesis.eu-west-1.amazonaws.com/base");
  ASSERT_TRUE(endpoint);
  EXPECT_TRUE(endpoint->tls);
  EXPECT_EQ(endpoint->port, 443);
  EXPECT_EQ(endpoint->path, "/base");
  EXPECT_EQ(endpoint->host_header, "kinesis.eu-west-1.amazonaws.com");
}

TEST(EndpointTest, ParsesIpv6) {
  auto endpoint = Endpoint::Parse("http://[::1]:8080");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->host_header, "[::1]:8080");
}

TEST(EndpointTest, RefusesBadUrls) {
  for (const char* url : {"ftp://x", "127.0.0.1:80", "http://", "http://host:0", "http://host:x",
                          "http://host:70000", "http://[::1"}) {
    EXPECT_FALSE(Endpoint::Parse(url)) << url;
  }
}

TEST(EndpointTest, AwsRegionalUrl) {
  EXPECT_EQ(Endpoint::AwsKinesisUrl("us-east-1"), "https://kinesis.us-east-1.amazonaws.com");
  EXPECT_EQ(Endpoint::AwsKinesisUrl("cn-north-1"), "https://kinesis.cn-north-1.amazonaws.com.cn");
}

}  // namespace
}  // namespace sluice::client
