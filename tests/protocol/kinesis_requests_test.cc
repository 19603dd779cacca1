#include "protocol/kinesis_requests.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::protocol::kinesis {
namespace {

constexpr std::string_view kArn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
constexpr std::string_view kNamePattern = "[a-zA-Z0-9_.-]+";
constexpr std::string_view kArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/.+";

// A parser with its value dropped: the error, if it refused the request.
using Check = std::optional<Error> (*)(simdjson::dom::element);

template <auto kParse>
std::optional<Error> ErrorOf(simdjson::dom::element input) {
  auto result = kParse(input);
  if (result) return std::nullopt;
  return result.error();
}

// A request body and the exact message AWS refuses it with.
struct Refusal {
  std::string json;
  std::string message;
};

// A violation of `path` by `value` (quoted as the message quotes it: "'x'" or "null").
std::string Violation(std::string_view value, std::string_view path, std::string_view constraint) {
  return "Value " + std::string(value) + " at '" + std::string(path) +
         "' failed to satisfy constraint: " + std::string(constraint);
}

std::string OneError(std::string_view error) {
  return "1 validation error detected: " + std::string(error);
}

std::string TwoErrors(std::string_view first, std::string_view second) {
  return "2 validation errors detected: " + std::string(first) + "; " + std::string(second);
}

std::string PatternConstraint(std::string_view pattern) {
  return "Member must satisfy regular expression pattern: " + std::string(pattern);
}

// A request body naming stream "s" by StreamName and StreamARN, followed by `members`.
std::string WithNameAndArn(std::string_view members) {
  return R"({"StreamName":"s","StreamARN":")" + std::string(kArn) + "\"," + std::string(members) +
         "}";
}

// A request body naming stream "s" by StreamARN only, followed by `members`.
std::string WithArn(std::string_view members) {
  return R"({"StreamARN":")" + std::string(kArn) + "\"," + std::string(members) + "}";
}

// `member` (a ShardId at `path`) absent, empty, too long and off its pattern, in a body of
// stream "s" and `other_members`.
std::vector<Refusal> ShardIdRefusals(std::string_view member, std::string_view path,
                                     std::string_view other_members) {
  const std::string start = R"({"StreamName":"s",)" + std::string(other_members);
  const auto with = [&](const std::string& value) {
    return start + ",\"" + std::string(member) + "\":\"" + value + "\"}";
  };
  const std::string long_id(129, 'a');
  return {{start + "}", OneError(Violation("null", path, "Member must not be null"))},
          {with(""),
           TwoErrors(Violation("''", path, "Member must have length greater than or equal to 1"),
                     Violation("''", path, PatternConstraint(kNamePattern)))},
          {with(long_id), OneError(Violation("'" + long_id + "'", path,
                                             "Member must have length less than or equal to 128"))},
          {with("a/b"), OneError(Violation("'a/b'", path, PatternConstraint(kNamePattern)))}};
}

// StreamARN empty, too long and off its pattern, followed by `members`.
std::vector<Refusal> StreamArnRefusals(std::string_view members) {
  const auto with = [&](const std::string& arn) {
    return R"({"StreamARN":")" + arn + "\"," + std::string(members) + "}";
  };
  const std::string long_arn = std::string(kArn) + std::string(2049 - kArn.size(), 'a');
  return {
      {with(""),
       TwoErrors(Violation("''", "streamARN", "Member must have length greater than or equal to 1"),
                 Violation("''", "streamARN", PatternConstraint(kArnPattern)))},
      {with(long_arn), OneError(Violation("'" + long_arn + "'", "streamARN",
                                          "Member must have length less than or equal to 2048"))},
      {with("arn:aws:s3:::bucket"),
       OneError(Violation("'arn:aws:s3:::bucket'", "streamARN", PatternConstraint(kArnPattern)))}};
}

// MaxRecordSizeInKiB below and above its range, after `start` ("{...," of a valid body).
std::vector<Refusal> RecordSizeRefusals(const std::string& start) {
  return {{start + R"("MaxRecordSizeInKiB":1023})",
           OneError(Violation("'1023'", "maxRecordSizeInKiB",
                              "Member must have value greater than or equal to 1024"))},
          {start + R"("MaxRecordSizeInKiB":10241})",
           OneError(Violation("'10241'", "maxRecordSizeInKiB",
                              "Member must have value less than or equal to 10240"))}};
}

void Append(std::vector<Refusal>& to, const std::vector<Refusal>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

class KinesisRequestsTest : public ::testing::Test {
 protected:
  simdjson::dom::element Parse(std::string_view json) {
    return parser_.parse(json.data(), json.size()).value();
  }

  // Expects `check` to refuse each body with exactly its message, as a ValidationException.
  void ExpectRefusals(Check check, const std::vector<Refusal>& refusals) {
    for (const Refusal& refusal : refusals) {
      SCOPED_TRACE(refusal.json);
      std::optional<Error> error = check(Parse(refusal.json));
      ASSERT_TRUE(error);
      EXPECT_EQ(error->wire_type, "ValidationException");
      EXPECT_EQ(error->message, refusal.message);
    }
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

// The StreamName/StreamARN violations of every parser that reads a StreamRef, each body
// completed with the parser's other (valid) members.
TEST_F(KinesisRequestsTest, EveryStreamRefParserChecksStreamNameAndArn) {
  const std::string long_name(129, 'a');
  const std::vector<std::pair<Check, std::string>> parsers = {
      {ErrorOf<ParseSplitShard>, R"("ShardToSplit":"shardId-0","NewStartingHashKey":"1")"},
      {ErrorOf<ParseMergeShards>,
       R"("ShardToMerge":"shardId-0","AdjacentShardToMerge":"shardId-1")"},
      {ErrorOf<ParseUpdateShardCount>, R"("TargetShardCount":2,"ScalingType":"UNIFORM_SCALING")"},
      {ErrorOf<ParseStreamEncryption>, R"("EncryptionType":"KMS","KeyId":"alias/aws/kinesis")"},
      {ErrorOf<ParseUpdateMaxRecordSize>, R"("MaxRecordSizeInKiB":2048)"},
  };
  for (const auto& [check, members] : parsers) {
    SCOPED_TRACE(members);
    const auto named = [&](const std::string& name) {
      return R"({"StreamName":")" + name + "\"," + members + "}";
    };
    std::vector<Refusal> refusals = {
        {"{" + members + "}", OneError(Violation("null", "streamName", "Member must not be null"))},
        {named("bad name"),
         OneError(Violation("'bad name'", "streamName", PatternConstraint(kNamePattern)))},
        {named(long_name),
         OneError(Violation("'" + long_name + "'", "streamName",
                            "Member must have length less than or equal to 128"))},
        {named(""), TwoErrors(Violation("''", "streamName",
                                        "Member must have length greater than or equal to 1"),
                              Violation("''", "streamName", PatternConstraint(kNamePattern)))}};
    Append(refusals, StreamArnRefusals(members));
    ExpectRefusals(check, refusals);
  }
}

TEST_F(KinesisRequestsTest, ParsesSplitShard) {
  auto request = ParseSplitShard(Parse(WithNameAndArn(
      R"("ShardToSplit":"shardId-000000000000","NewStartingHashKey":"170141183460469231731687303715884105728")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->shard_to_split, "shardId-000000000000");
  EXPECT_EQ(request->new_starting_hash_key, "170141183460469231731687303715884105728");
}

TEST_F(KinesisRequestsTest, ParsesSplitShardByStreamArn) {
  auto request =
      ParseSplitShard(Parse(WithArn(R"("ShardToSplit":"shardId-0","NewStartingHashKey":"0")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->new_starting_hash_key, "0");
}

TEST_F(KinesisRequestsTest, ChecksSplitShardConstraints) {
  const std::string hash_pattern = PatternConstraint("0|([1-9]\\d{0,38})");
  const std::string digits_40(40, '9');
  std::vector<Refusal> refusals =
      ShardIdRefusals("ShardToSplit", "shardToSplit", R"("NewStartingHashKey":"1")");
  Append(refusals,
         {{R"({"StreamName":"s","ShardToSplit":"shardId-0"})",
           OneError(Violation("null", "newStartingHashKey", "Member must not be null"))},
          {R"({"StreamName":"s","ShardToSplit":"shardId-0","NewStartingHashKey":"01"})",
           OneError(Violation("'01'", "newStartingHashKey", hash_pattern))},
          {R"({"StreamName":"s","ShardToSplit":"shardId-0","NewStartingHashKey":")" + digits_40 +
               "\"}",
           OneError(Violation("'" + digits_40 + "'", "newStartingHashKey", hash_pattern))}});
  ExpectRefusals(ErrorOf<ParseSplitShard>, refusals);
}

TEST_F(KinesisRequestsTest, RefusesANumericHashKeyAsSerializationError) {
  auto request = ParseSplitShard(
      Parse(R"({"StreamName":"s","ShardToSplit":"shardId-0","NewStartingHashKey":1})"));
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().wire_type, "SerializationException");
  EXPECT_EQ(request.error().message, "Member 'newStartingHashKey' must be a string");
}

TEST_F(KinesisRequestsTest, ParsesMergeShards) {
  auto request = ParseMergeShards(Parse(WithNameAndArn(
      R"("ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->shard_to_merge, "shardId-000000000000");
  EXPECT_EQ(request->adjacent_shard_to_merge, "shardId-000000000001");
}

TEST_F(KinesisRequestsTest, ParsesMergeShardsByStreamArn) {
  auto request =
      ParseMergeShards(Parse(WithArn(R"("ShardToMerge":"a","AdjacentShardToMerge":"b")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->shard_to_merge, "a");
  EXPECT_EQ(request->adjacent_shard_to_merge, "b");
}

TEST_F(KinesisRequestsTest, ChecksMergeShardsConstraints) {
  std::vector<Refusal> refusals =
      ShardIdRefusals("ShardToMerge", "shardToMerge", R"("AdjacentShardToMerge":"b")");
  Append(refusals,
         ShardIdRefusals("AdjacentShardToMerge", "adjacentShardToMerge", R"("ShardToMerge":"a")"));
  ExpectRefusals(ErrorOf<ParseMergeShards>, refusals);
}

TEST_F(KinesisRequestsTest, ParsesUpdateShardCount) {
  auto request = ParseUpdateShardCount(
      Parse(WithNameAndArn(R"("TargetShardCount":4,"ScalingType":"UNIFORM_SCALING")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->target_shard_count, 4);
  EXPECT_EQ(request->scaling_type, "UNIFORM_SCALING");
}

TEST_F(KinesisRequestsTest, ParsesUpdateShardCountByStreamArn) {
  auto request = ParseUpdateShardCount(
      Parse(WithArn(R"("TargetShardCount":1,"ScalingType":"UNIFORM_SCALING")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->target_shard_count, 1);
}

TEST_F(KinesisRequestsTest, ChecksUpdateShardCountConstraints) {
  ExpectRefusals(ErrorOf<ParseUpdateShardCount>,
                 {{R"({"StreamName":"s","ScalingType":"UNIFORM_SCALING"})",
                   OneError(Violation("null", "targetShardCount", "Member must not be null"))},
                  {R"({"StreamName":"s","TargetShardCount":0,"ScalingType":"UNIFORM_SCALING"})",
                   OneError(Violation("'0'", "targetShardCount",
                                      "Member must have value greater than or equal to 1"))},
                  {R"({"StreamName":"s","TargetShardCount":2})",
                   OneError(Violation("null", "scalingType", "Member must not be null"))},
                  {R"({"StreamName":"s","TargetShardCount":2,"ScalingType":"NON_UNIFORM"})",
                   OneError(Violation("'NON_UNIFORM'", "scalingType",
                                      "Member must satisfy enum value set: [UNIFORM_SCALING]"))}});
}

TEST_F(KinesisRequestsTest, ParsesUpdateStreamMode) {
  auto request =
      ParseUpdateStreamMode(Parse(WithArn(R"("StreamModeDetails":{"StreamMode":"ON_DEMAND"})")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream_arn, kArn);
  EXPECT_EQ(request->stream_mode, "ON_DEMAND");
}

TEST_F(KinesisRequestsTest, ChecksUpdateStreamModeConstraints) {
  const std::string mode = R"("StreamModeDetails":{"StreamMode":"PROVISIONED"})";
  const std::string arn_null = OneError(Violation("null", "streamARN", "Member must not be null"));
  std::vector<Refusal> refusals = {
      {"{" + mode + "}", arn_null},
      {R"({"StreamName":"s",)" + mode + "}", arn_null},  // StreamName is no member here
      {"{\"StreamARN\":\"" + std::string(kArn) + "\"}",
       OneError(Violation("null", "streamModeDetails", "Member must not be null"))},
      {WithArn(R"("StreamModeDetails":{})"),
       OneError(Violation("null", "streamModeDetails.streamMode", "Member must not be null"))},
      {WithArn(R"("StreamModeDetails":{"StreamMode":"SERVERLESS"})"),
       OneError(Violation("'SERVERLESS'", "streamModeDetails.streamMode",
                          "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"))}};
  Append(refusals, StreamArnRefusals(mode));
  ExpectRefusals(ErrorOf<ParseUpdateStreamMode>, refusals);
}

TEST_F(KinesisRequestsTest, ParsesStreamEncryption) {
  auto request = ParseStreamEncryption(
      Parse(WithNameAndArn(R"("EncryptionType":"KMS","KeyId":"alias/aws/kinesis")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->encryption_type, "KMS");
  EXPECT_EQ(request->key_id, "alias/aws/kinesis");
}

TEST_F(KinesisRequestsTest, ParsesStreamEncryptionByStreamArn) {
  auto request = ParseStreamEncryption(Parse(WithArn(R"("EncryptionType":"NONE","KeyId":"k")")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->encryption_type, "NONE");
}

TEST_F(KinesisRequestsTest, ChecksStreamEncryptionConstraints) {
  const std::string long_key(2049, 'k');
  ExpectRefusals(
      ErrorOf<ParseStreamEncryption>,
      {{R"({"StreamName":"s","KeyId":"k"})",
        OneError(Violation("null", "encryptionType", "Member must not be null"))},
       {R"({"StreamName":"s","EncryptionType":"AES","KeyId":"k"})",
        OneError(Violation("'AES'", "encryptionType",
                           "Member must satisfy enum value set: [NONE, KMS]"))},
       {R"({"StreamName":"s","EncryptionType":"KMS"})",
        OneError(Violation("null", "keyId", "Member must not be null"))},
       {R"({"StreamName":"s","EncryptionType":"KMS","KeyId":""})",
        OneError(Violation("''", "keyId", "Member must have length greater than or equal to 1"))},
       {R"({"StreamName":"s","EncryptionType":"KMS","KeyId":")" + long_key + "\"}",
        OneError(Violation("'" + long_key + "'", "keyId",
                           "Member must have length less than or equal to 2048"))}});
}

TEST_F(KinesisRequestsTest, ParsesUpdateMaxRecordSize) {
  auto request = ParseUpdateMaxRecordSize(Parse(WithArn(R"("MaxRecordSizeInKiB":10240)")));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_EQ(request->stream.arn, kArn);
  EXPECT_EQ(request->max_record_size_kib, kMaxRecordSizeKib);
}

TEST_F(KinesisRequestsTest, ParsesUpdateMaxRecordSizeByStreamName) {
  auto request = ParseUpdateMaxRecordSize(Parse(R"({"StreamName":"s","MaxRecordSizeInKiB":1024})"));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream.name, "s");
  EXPECT_FALSE(request->stream.arn);
  EXPECT_EQ(request->max_record_size_kib, kMinRecordSizeKib);
}

TEST_F(KinesisRequestsTest, ChecksUpdateMaxRecordSizeConstraints) {
  std::vector<Refusal> refusals = {
      {R"({"StreamName":"s"})",
       OneError(Violation("null", "maxRecordSizeInKiB", "Member must not be null"))}};
  Append(refusals, RecordSizeRefusals(R"({"StreamName":"s",)"));
  ExpectRefusals(ErrorOf<ParseUpdateMaxRecordSize>, refusals);
}

TEST_F(KinesisRequestsTest, ReadsCreateStreamMaxRecordSize) {
  auto request = ParseCreateStream(Parse(
      R"({"StreamName":"s","ShardCount":1,"StreamModeDetails":{"StreamMode":"PROVISIONED"},
          "Tags":{"k":"v"},"MaxRecordSizeInKiB":2048})"));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->stream_mode, "PROVISIONED");
  EXPECT_EQ(request->max_record_size_kib, 2048);
  auto without = ParseCreateStream(Parse(R"({"StreamName":"s"})"));
  ASSERT_TRUE(without) << without.error().message;
  EXPECT_FALSE(without->max_record_size_kib);
}

TEST_F(KinesisRequestsTest, ChecksCreateStreamMaxRecordSize) {
  ExpectRefusals(ErrorOf<ParseCreateStream>, RecordSizeRefusals(R"({"StreamName":"s",)"));
}

TEST_F(KinesisRequestsTest, StreamNameOfArn) {
  EXPECT_EQ(StreamNameOfArn("arn:aws:kinesis:eu-west-1:123456789012:stream/x.y"), "x.y");
  EXPECT_FALSE(StreamNameOfArn("arn:aws:kinesis:eu-west-1:123456789012:stream/"));
  EXPECT_FALSE(StreamNameOfArn("not an arn"));
}

}  // namespace
}  // namespace sluice::protocol::kinesis
