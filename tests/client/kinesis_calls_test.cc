#include "kinesis_calls.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

TEST(KinesisCallsTest, PutRecordsBodyEncodesDataAndEscapesKeys) {
  PutRecordsBodyWriter writer("trips", 16);
  writer.Add("hello", "key\"1", "");
  writer.Add(std::string_view("\0\1", 2), "k2", "123");
  EXPECT_EQ(writer.Finish(),
            R"({"StreamName":"trips","Records":[{"Data":"aGVsbG8=","PartitionKey":"key\"1"},)"
            R"({"Data":"AAE=","PartitionKey":"k2","ExplicitHashKey":"123"}]})");
}

TEST(KinesisCallsTest, ParsesPutRecordsOutcomes) {
  auto outcomes = ParsePutRecordsResponse(
      R"({"FailedRecordCount":1,"Records":[{"SequenceNumber":"49","ShardId":"shardId-000000000001"},)"
      R"({"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow down"}]})",
      2);
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 2u);
  EXPECT_TRUE((*outcomes)[0].ok());
  EXPECT_EQ((*outcomes)[0].shard_id, "shardId-000000000001");
  EXPECT_EQ((*outcomes)[0].sequence_number, "49");
  EXPECT_FALSE((*outcomes)[1].ok());
  EXPECT_EQ((*outcomes)[1].error_code, "ProvisionedThroughputExceededException");
  EXPECT_EQ((*outcomes)[1].error_message, "slow down");
}

TEST(KinesisCallsTest, CountMismatchAndJunkAreErrors) {
  EXPECT_FALSE(ParsePutRecordsResponse(R"({"Records":[]})", 1));
  EXPECT_FALSE(ParsePutRecordsResponse("not json", 1));
  EXPECT_FALSE(ParsePutRecordsResponse(R"({"FailedRecordCount":0})", 0));
}

TEST(KinesisCallsTest, ServiceErrorTypeWithoutNamespace) {
  HttpResponse response{400,
                        R"({"__type":"com.amazon.coral#ResourceNotFoundException",)"
                        R"("message":"Stream x not found"})",
                        ""};
  ServiceError error = ParseServiceError(response);
  EXPECT_EQ(error.type, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Stream x not found");
  ServiceError from_header = ParseServiceError(HttpResponse{503, "", "ServiceUnavailable:http"});
  EXPECT_EQ(from_header.type, "ServiceUnavailable");
  EXPECT_EQ(ParseServiceError(HttpResponse{502, "<html>", ""}).type, "HttpError");
}

TEST(KinesisCallsTest, Retryability) {
  EXPECT_TRUE(IsRetryable("ProvisionedThroughputExceededException", 200));
  EXPECT_TRUE(IsRetryable("InternalFailure", 200));
  EXPECT_TRUE(IsRetryable("Timeout", 0));
  EXPECT_TRUE(IsRetryable("ConnectionError", 0));
  EXPECT_TRUE(IsRetryable("Whatever", 503));
  EXPECT_TRUE(IsRetryable("LimitExceededException", 400));
  EXPECT_FALSE(IsRetryable("ResourceNotFoundException", 400));
  EXPECT_FALSE(IsRetryable("ValidationException", 400));
  EXPECT_FALSE(IsRetryable("UnrecognizedClientException", 400));
  EXPECT_FALSE(IsRetryable("KMSAccessDeniedException", 200));
}

TEST(KinesisCallsTest, ListShardsBodyAndPages) {
  EXPECT_EQ(ListShardsBody("s", std::nullopt), R"({"StreamName":"s","MaxResults":1000})");
  EXPECT_EQ(ListShardsBody("s", "tok"), R"({"NextToken":"tok","MaxResults":1000})");
  auto page = ParseListShardsResponse(
      R"({"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0",)"
      R"("EndingHashKey":"99"},"SequenceNumberRange":{"StartingSequenceNumber":"1",)"
      R"("EndingSequenceNumber":"2"}},{"ShardId":"shardId-000000000001","HashKeyRange":)"
      R"({"StartingHashKey":"100","EndingHashKey":"200"},"SequenceNumberRange":)"
      R"({"StartingSequenceNumber":"3"}}],"NextToken":"more"})");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->shards.size(), 2u);
  EXPECT_FALSE(page->shards[0].open);
  EXPECT_TRUE(page->shards[1].open);
  EXPECT_TRUE(page->shards[1].start == 100);
  EXPECT_TRUE(page->shards[1].end == 200);
  EXPECT_EQ(page->next_token, "more");
  EXPECT_FALSE(ParseListShardsResponse(
      R"({"Shards":[{"ShardId":"x","HashKeyRange":{"StartingHashKey":"5","EndingHashKey":"1"}}]})"));
}

}  // namespace
}  // namespace sluice::client
