#include "protocol/kinesis_responses.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace sluice::protocol::kinesis {
namespace {

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& json) {
  return parser.parse(json).value();
}

TEST(KinesisResponsesTest, PutRecordsReportsFailuresPerRecord) {
  std::vector<PutResultView> results(2);
  results[0].shard_id = "shardId-000000000000";
  results[0].sequence_number = "4000";
  results[1].error_code = "ProvisionedThroughputExceededException";
  results[1].error_message = "Rate exceeded for shard \"shardId-000000000001\"";
  simdjson::dom::parser parser;
  auto root = Parse(parser, PutRecordsResponse(results, "NONE"));
  EXPECT_EQ(int64_t(root["FailedRecordCount"]), 1);
  auto records = root["Records"].get_array().value();
  EXPECT_EQ(std::string_view(records.at(0)["SequenceNumber"]), "4000");
  EXPECT_EQ(std::string_view(records.at(0)["ShardId"]), "shardId-000000000000");
  EXPECT_EQ(std::string_view(records.at(1)["ErrorCode"]), "ProvisionedThroughputExceededException");
  EXPECT_EQ(std::string_view(records.at(1)["ErrorMessage"]),
            "Rate exceeded for shard \"shardId-000000000001\"");
  EXPECT_TRUE(records.at(1)["SequenceNumber"].error());
  EXPECT_EQ(std::string_view(root["EncryptionType"]), "NONE");
}

TEST(KinesisResponsesTest, GetRecordsEncodesDataAndTimestamps) {
  GetRecordsResponseWriter writer(256);
  writer.Add({"4001", 1'700'000'000'123, "key", std::string_view("\x00\xff", 2)});
  writer.Add({"4002", 1'700'000'000'124, "key", "sealed", true});
  simdjson::dom::parser parser;
  auto root = Parse(parser, writer.Finish(std::string("next"), 0, {}));
  auto record = root["Records"].at(0);
  EXPECT_EQ(std::string_view(record["Data"]), "AP8=");
  EXPECT_TRUE(record["EncryptionType"].error());
  EXPECT_EQ(std::string_view(root["Records"].at(1)["EncryptionType"]), "KMS");
  EXPECT_DOUBLE_EQ(double(record["ApproximateArrivalTimestamp"]), 1'700'000'000.123);
  EXPECT_EQ(std::string_view(root["NextShardIterator"]), "next");
  EXPECT_EQ(int64_t(root["MillisBehindLatest"]), 0);
}

TEST(KinesisResponsesTest, GetRecordsGivesEachRecordItsOwnArrivalTime) {
  const std::vector<int64_t> arrivals = {1'700'000'000'123, 1'700'000'000'123, 1'700'000'001'000,
                                         1'700'000'000'123, 5};
  GetRecordsResponseWriter writer(256);
  for (int64_t arrival_ms : arrivals) writer.Add({"4001", arrival_ms, "key", "data"});
  simdjson::dom::parser parser;
  auto records = Parse(parser, writer.Finish(std::string("next"), 0, {}))["Records"];
  for (size_t i = 0; i < arrivals.size(); ++i) {
    EXPECT_DOUBLE_EQ(double(records.at(i)["ApproximateArrivalTimestamp"]),
                     static_cast<double>(arrivals[i]) / 1000.0)
        << i;
  }
}

TEST(KinesisResponsesTest, AClosedShardNamesItsChildrenInsteadOfANextIterator) {
  GetRecordsResponseWriter writer(256);
  simdjson::dom::parser parser;
  auto root =
      Parse(parser, writer.Finish(std::nullopt, 0,
                                  {{"shardId-000000000002", {"shardId-000000000000"}, "0", "9"}}));
  EXPECT_TRUE(root["NextShardIterator"].error());
  EXPECT_EQ(std::string_view(root["ChildShards"].at(0)["ShardId"]), "shardId-000000000002");
}

TEST(KinesisResponsesTest, DescribeStreamHasTheRequiredMembers) {
  StreamView stream;
  stream.name = "trips";
  stream.arn = "arn";
  stream.status = "ACTIVE";
  stream.mode = "ON_DEMAND";
  simdjson::dom::parser parser;
  auto root = Parse(parser, DescribeStreamResponse(stream, {}, false))["StreamDescription"];
  for (const char* member :
       {"StreamName", "StreamARN", "StreamStatus", "Shards", "HasMoreShards",
        "RetentionPeriodHours", "StreamCreationTimestamp", "EnhancedMonitoring"}) {
    EXPECT_FALSE(root[member].error()) << member;
  }
  EXPECT_EQ(std::string_view(root["StreamModeDetails"]["StreamMode"]), "ON_DEMAND");
}

TEST(KinesisResponsesTest, UpdateShardCountNamesTheStreamAndBothCounts) {
  EXPECT_EQ(UpdateShardCountResponse("trips", 2, 4,
                                     "arn:aws:kinesis:us-east-1:000000000000:stream/trips"),
            R"({"StreamName":"trips","CurrentShardCount":2,"TargetShardCount":4,)"
            R"("StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/trips"})");
}

TEST(KinesisResponsesTest, UpdateShardCountEscapesItsStrings) {
  simdjson::dom::parser parser;
  auto root = Parse(parser, UpdateShardCountResponse("a\"b", 1, 1, "x"));
  EXPECT_EQ(std::string_view(root["StreamName"]), "a\"b");
}

}  // namespace
}  // namespace sluice::protocol::kinesis
