#include "protocol/kinesis_requests.h"

#include <gtest/gtest.h>

namespace sluice::protocol::kinesis {
namespace {

class KinesisRequestsTest : public ::testing::Test {
 protected:
  simdjson::dom::element Parse(std::string_view json) {
    return parser_.parse(json.data(), json.size()).value();
  }
  simdjson::dom::parser parser_;
};

TEST_F(KinesisRequestsTest, ParsesPutRecords) {
  auto request = ParsePutRecords(Parse(
      R"({"StreamName":"trips","Records":[{"Data":"aGk=","PartitionKey":"k1"},
          {"Data":"","PartitionKey":"k2","ExplicitHashKey":"42"}]})"));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "trips");
  ASSERT_EQ(request->records.size(), 2u);
  EXPECT_EQ(request->records[0].data, "hi");
  EXPECT_EQ(request->records[1].data, "");
  EXPECT_EQ(request->records[1].explicit_hash_key, "42");
}

TEST_F(KinesisRequestsTest, TakesTheStreamNameFromAnArn) {
  auto request = ParseStreamOnly(
      Parse(R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/trips"})"));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->name, "trips");
  EXPECT_EQ(request->arn, "arn:aws:kinesis:us-east-1:000000000000:stream/trips");
}

TEST_F(KinesisRequestsTest, RefusesANameAndArnThatDisagree) {
  auto request = ParseStreamOnly(
      Parse(R"({"StreamName":"a","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/b"})"));
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().wire_type, "ValidationException");
}

TEST_F(KinesisRequestsTest, RequiresAStream) {
  auto request = ParseDescribeStream(Parse("{}"));
  ASSERT_FALSE(request);
  EXPECT_NE(request.error().message.find("Value null at 'streamName'"), std::string::npos);
}

TEST_F(KinesisRequestsTest, ChecksCreateStreamConstraints) {
  auto request = ParseCreateStream(
      Parse(R"({"StreamName":"bad name","ShardCount":0,"StreamModeDetails":{"StreamMode":"X"}})"));
  ASSERT_FALSE(request);
  const std::string& message = request.error().message;
  EXPECT_TRUE(message.starts_with("3 validation errors detected: ")) << message;
  EXPECT_NE(message.find("at 'streamName'"), std::string::npos);
  EXPECT_NE(message.find("at 'shardCount'"), std::string::npos);
  EXPECT_NE(message.find("at 'streamModeDetails.streamMode'"), std::string::npos);
}

TEST_F(KinesisRequestsTest, ChecksGetShardIteratorEnumAndPattern) {
  auto request = ParseGetShardIterator(Parse(
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST",
          "StartingSequenceNumber":"01"})"));
  ASSERT_FALSE(request);
  EXPECT_NE(request.error().message.find("at 'shardIteratorType'"), std::string::npos);
  EXPECT_NE(request.error().message.find("at 'startingSequenceNumber'"), std::string::npos);
}

TEST_F(KinesisRequestsTest, ReadsTagMapsAndKeyLists) {
  auto add = ParseAddTagsToStream(Parse(R"({"StreamName":"s","Tags":{"a":"1","b":""}})"));
  ASSERT_TRUE(add);
  EXPECT_EQ(add->tags.size(), 2u);
  auto remove = ParseRemoveTagsFromStream(Parse(R"({"StreamName":"s","TagKeys":["a"]})"));
  ASSERT_TRUE(remove);
  EXPECT_EQ(remove->keys, std::vector<std::string>{"a"});
  EXPECT_FALSE(ParseAddTagsToStream(Parse(R"({"StreamName":"s","Tags":{"":"x"}})")));
}

TEST_F(KinesisRequestsTest, ResourceArnNamesTheStream) {
  auto request = ParseTagResource(Parse(
      R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","Tags":{"k":"v"}})"));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_FALSE(ParseListTagsForResource(Parse(R"({"ResourceARN":"arn:aws:s3:::bucket"})")));
}

TEST_F(KinesisRequestsTest, StreamNameOfArn) {
  EXPECT_EQ(StreamNameOfArn("arn:aws:kinesis:eu-west-1:123456789012:stream/x.y"), "x.y");
  EXPECT_FALSE(StreamNameOfArn("arn:aws:kinesis:eu-west-1:123456789012:stream/"));
  EXPECT_FALSE(StreamNameOfArn("not an arn"));
}

}  // namespace
}  // namespace sluice::protocol::kinesis
