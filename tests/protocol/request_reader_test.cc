#include "protocol/request_reader.h"

#include <gtest/gtest.h>

#include <array>

namespace sluice::protocol {
namespace {

class RequestReaderTest : public ::testing::Test {
 protected:
  simdjson::dom::element Parse(std::string_view json) {
    return parser_.parse(json.data(), json.size()).value();
  }
  simdjson::dom::parser parser_;
};

TEST_F(RequestReaderTest, ReadsMembersOfEachType) {
  auto input = Parse(R"({"S":"x","I":7,"B":true,"T":1.5,"D":"aGk=","L":[1,2],"O":{"k":"v"}})");
  RequestReader reader(input);
  EXPECT_EQ(reader.String("S"), "x");
  EXPECT_EQ(reader.Integer("I"), 7);
  EXPECT_EQ(reader.Boolean("B"), true);
  EXPECT_EQ(reader.TimestampMs("T"), 1500);
  ByteArena arena;
  EXPECT_EQ(reader.Blob("D", arena), "hi");
  EXPECT_EQ(reader.List("L", false, 0, 10)->size(), 2u);
  EXPECT_TRUE(reader.Object("O"));
  EXPECT_FALSE(reader.String("Absent"));
  EXPECT_TRUE(reader.Finish());
}

TEST_F(RequestReaderTest, NullReadsAsAbsent) {
  RequestReader reader(Parse(R"({"S":null})"));
  EXPECT_FALSE(reader.String("S"));
  EXPECT_TRUE(reader.Finish());
}

TEST_F(RequestReaderTest, ReportsEveryViolationInAwsWording) {
  static const Pattern kName("[a-z]+");
  RequestReader reader(Parse(R"({"StreamName":"A!","Limit":0})"));
  reader.String("StreamName", {.required = true, .min_length = 3, .pattern = &kName});
  reader.Integer("Limit", {.min = 1, .max = 10});
  reader.String("ShardId", {.required = true});
  auto status = reader.Finish();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().wire_type, "ValidationException");
  EXPECT_EQ(status.error().message,
            "4 validation errors detected: "
            "Value 'A!' at 'streamName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3; "
            "Value 'A!' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [a-z]+; "
            "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
            "than or equal to 1; "
            "Value null at 'shardId' failed to satisfy constraint: Member must not be null");
}

TEST_F(RequestReaderTest, EnumViolationsListTheAllowedValues) {
  static constexpr std::array<std::string_view, 2> kModes = {"PROVISIONED", "ON_DEMAND"};
  RequestReader reader(Parse(R"({"StreamMode":"FAST"})"));
  reader.String("StreamMode", {.allowed = kModes});
  EXPECT_NE(reader.Finish().error().message.find(
                "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"),
            std::string::npos);
}

TEST_F(RequestReaderTest, WrongTypesAreSerializationErrorsAndComeFirst) {
  RequestReader reader(Parse(R"({"StreamName":5,"Limit":0})"));
  reader.String("StreamName");
  reader.Integer("Limit", {.min = 1});
  auto status = reader.Finish();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().wire_type, "SerializationException");
  EXPECT_NE(status.error().message.find("streamName"), std::string::npos);
}

TEST_F(RequestReaderTest, InvalidBase64IsASerializationError) {
  RequestReader reader(Parse(R"({"Data":"not base64!"})"));
  ByteArena arena;
  reader.Blob("Data", arena);
  EXPECT_EQ(reader.Finish().error().wire_type, "SerializationException");
}

TEST_F(RequestReaderTest, BlobLimitsCountDecodedBytes) {
  RequestReader reader(Parse(R"({"Data":"aGVsbG8="})"));  // "hello"
  ByteArena arena;
  reader.Blob("Data", arena, {.max_bytes = 4});
  EXPECT_NE(reader.Finish().error().message.find(
                "Value 'java.nio.HeapByteBuffer[pos=0 lim=5 cap=5]' at 'data' failed to satisfy "
                "constraint: Member must have length less than or equal to 4"),
            std::string::npos);
}

TEST_F(RequestReaderTest, NestedReadersReportWithTheirPath) {
  auto input = Parse(R"({"Records":[{"PartitionKey":"ok"},{"PartitionKey":""}]})");
  RequestReader reader(input);
  auto list = reader.List("Records", true, 1, 500);
  size_t index = 0;
  for (simdjson::dom::element item : *list) {
    RequestReader entry(item, reader, "Records", index++);
    entry.String("PartitionKey", {.min_length = 1});
  }
  EXPECT_NE(reader.Finish().error().message.find("at 'records.2.member.partitionKey'"),
            std::string::npos);
}

TEST_F(RequestReaderTest, CountsLengthInUtf16CodeUnits) {
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(Utf16Length("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(Utf16Length("\xF0\x9F\x9A\x95"), 2u);  // 🚕, a surrogate pair
}

}  // namespace
}  // namespace sluice::protocol
