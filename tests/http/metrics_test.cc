#include "http/metrics.h"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(MetricsTest, CountsRequestsByOutcome) {
  Metrics metrics;
  OperationMetrics& op = metrics.Register("Kinesis_20131202", "PutRecords");
  op.Record(Outcome::kSuccess, std::chrono::microseconds(100));
  op.Record(Outcome::kSuccess, std::chrono::microseconds(100));
  op.Record(Outcome::kClientError, std::chrono::microseconds(100));
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text,
                       "sluice_requests_total{service=\"Kinesis_20131202\","
                       "operation=\"PutRecords\",outcome=\"success\"} 2\n"));
  EXPECT_TRUE(Contains(text, "operation=\"PutRecords\",outcome=\"client_error\"} 1\n"));
  EXPECT_TRUE(Contains(text, "operation=\"PutRecords\",outcome=\"server_error\"} 0\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Metrics metrics;
  OperationMetrics& op = metrics.Register("s", "o");
  op.Record(Outcome::kSuccess, std::chrono::microseconds(300));  // <= 0.0005
  op.Record(Outcome::kSuccess, std::chrono::milliseconds(3));    // <= 0.005
  op.Record(Outcome::kSuccess, std::chrono::seconds(10));        // +Inf only
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text, "le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(Contains(text, "le=\"0.0025\"} 1\n"));
  EXPECT_TRUE(Contains(text, "le=\"0.005\"} 2\n"));
  EXPECT_TRUE(Contains(text, "le=\"5\"} 2\n"));
  EXPECT_TRUE(Contains(text, "le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(
      Contains(text, "sluice_request_duration_seconds_count{service=\"s\",operation=\"o\"} 3\n"));
}

TEST(MetricsTest, ReportsOpenConnectionsAndResidentMemory) {
  Metrics metrics;
  metrics.ConnectionOpened();
  metrics.ConnectionOpened();
  metrics.ConnectionClosed();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text, "# TYPE sluice_open_connections gauge\nsluice_open_connections 1\n"));
  const size_t rss = text.find("\nprocess_resident_memory_bytes ");
  ASSERT_NE(rss, std::string::npos);
  EXPECT_GT(std::stoull(text.substr(rss + 31)), 0u);
}

TEST(MetricsTest, EachFamilyHasOneTypeLine) {
  Metrics metrics;
  metrics.Register("a", "x");
  metrics.Register("b", "y");
  const std::string text = metrics.RenderPrometheus();
  size_t first = text.find("# TYPE sluice_requests_total counter");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("# TYPE sluice_requests_total counter", first + 1), std::string::npos);
}

}  // namespace
}  // namespace sluice::http
