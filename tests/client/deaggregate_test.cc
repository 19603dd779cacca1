#include "aggregation/deaggregate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aggregation/aggregator.h"
#include "aggregation/protobuf_wire.h"
#include "user_record_printer.h"

namespace sluice::client {
namespace {

// An aggregate around `protobuf`: magic, the bytes, their MD5.
std::string Wrap(std::string_view protobuf) {
  std::string data(kAggregateMagic.data(), kAggregateMagic.size());
  data.append(protobuf);
  const auto digest = AggregateDigest(protobuf);
  data.append(digest.data(), digest.size());
  return data;
}

std::string RecordMessage(uint64_t partition_key_index, std::string_view data) {
  std::string record;
  AppendVarintField(kPartitionKeyIndexField, partition_key_index, record);
  AppendLengthDelimitedField(kDataField, data, record);
  return record;
}

std::vector<UserRecord> Plain(std::string_view data, std::string_view partition_key) {
  return {UserRecord{.partition_key = std::string(partition_key), .data = std::string(data)}};
}

void ExpectMalformed(std::string_view protobuf) {
  auto records = Deaggregate(Wrap(protobuf), "outer");
  ASSERT_FALSE(records) << "deaggregated " << records->size() << " records";
  EXPECT_EQ(records.error().code, ErrorCode::kInvalidArgument);
}

TEST(DeaggregateTest, PassesPlainRecordsThrough) {
  for (std::string_view data :
       {std::string_view(""), std::string_view("hello"), std::string_view("\xf3\x89\x9a", 3),
        std::string_view("\xf3\x89\x9a\xc3 not magic")}) {
    EXPECT_FALSE(IsAggregate(data));
    auto records = Deaggregate(data, "pk");
    ASSERT_TRUE(records);
    EXPECT_EQ(*records, Plain(data, "pk"));
  }
}

TEST(DeaggregateTest, PassesThroughMagicWithoutRoomForAMessage) {
  // Magic plus a digest of nothing: the KCL wants at least one protobuf byte.
  const std::string data = Wrap("");
  ASSERT_EQ(data.size(), kAggregateOverheadBytes);
  EXPECT_FALSE(IsAggregate(data));
  EXPECT_EQ(*Deaggregate(data, "pk"), Plain(data, "pk"));
}

TEST(DeaggregateTest, PassesThroughAChecksumMismatch) {
  Aggregator aggregator;
  aggregator.Add({.partition_key = "inner", .data = "payload"});
  std::string data = aggregator.Finish().data;
  ASSERT_TRUE(IsAggregate(data));
  data.back() = static_cast<char>(data.back() ^ 1);
  EXPECT_FALSE(IsAggregate(data));
  auto records = Deaggregate(data, "outer");
  ASSERT_TRUE(records);
  EXPECT_EQ(*records, Plain(data, "outer"));
}

TEST(DeaggregateTest, PassesThroughACorruptedMessage) {
  Aggregator aggregator;
  aggregator.Add({.partition_key = "inner", .data = "payload"});
  std::string data = aggregator.Finish().data;
  data[6] = 'X';  // inside the partition key table: the digest no longer matches
  EXPECT_EQ(*Deaggregate(data, "outer"), Plain(data, "outer"));
}

TEST(DeaggregateTest, ReadsAnAggregateWithoutRecords) {
  std::string protobuf;
  AppendLengthDelimitedField(kPartitionKeyTableField, "unused", protobuf);
  auto records = Deaggregate(Wrap(protobuf), "outer");
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
}

TEST(DeaggregateTest, ReadsFieldsInAnyOrder) {
  std::string protobuf;
  AppendLengthDelimitedField(kRecordsField, RecordMessage(1, "second key"), protobuf);
  AppendLengthDelimitedField(kPartitionKeyTableField, "k0", protobuf);
  AppendLengthDelimitedField(kRecordsField, RecordMessage(0, "first key"), protobuf);
  AppendLengthDelimitedField(kPartitionKeyTableField, "k1", protobuf);
  auto records = Deaggregate(Wrap(protobuf), "outer");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ(*records, (std::vector<UserRecord>{{.partition_key = "k1", .data = "second key"},
                                               {.partition_key = "k0", .data = "first key"}}));
}

TEST(DeaggregateTest, SkipsUnknownFields) {
  std::string record;
  AppendVarintField(9, 12345, record);  // unknown varint
  record += RecordMessage(0, "data");
  AppendLengthDelimitedField(15, "unknown bytes", record);
  record += std::string(
      "\x2d"
      "abcd",
      5);  // field 5, fixed32
  record += std::string(
      "\x31"
      "12345678",
      9);                        // field 6, fixed64
  record += "\x3b\x08\x01\x3c";  // field 7, a group
  AppendLengthDelimitedField(kExplicitHashKeyIndexField, "wrong wire type", record);

  std::string tag;
  AppendLengthDelimitedField(kTagKeyField, "tag-key", tag);
  AppendLengthDelimitedField(2, "tag-value", tag);
  AppendVarintField(3, 1, tag);
  AppendLengthDelimitedField(kTagsField, tag, record);

  std::string protobuf;
  AppendVarintField(4, 7, protobuf);
  AppendLengthDelimitedField(kPartitionKeyTableField, "pk", protobuf);
  AppendLengthDelimitedField(1000, "far away field", protobuf);
  AppendLengthDelimitedField(kRecordsField, record, protobuf);
  AppendVarintField(kPartitionKeyTableField, 1, protobuf);  // known number, other wire type

  auto records = Deaggregate(Wrap(protobuf), "outer");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ(*records, (std::vector<UserRecord>{{.partition_key = "pk", .data = "data"}}));
}

TEST(DeaggregateTest, TruncatedMessageIsAnError) {
  Aggregator aggregator;
  aggregator.Add({.partition_key = "partition", .explicit_hash_key = "42", .data = "payload"});
  const std::string data = aggregator.Finish().data;
  const std::string_view protobuf =
      std::string_view(data).substr(kAggregateMagic.size(), data.size() - kAggregateOverheadBytes);
  // Top-level fields: partition key table [0, 11), hash key table [11, 15), the record.
  ASSERT_EQ(protobuf.size(), 15u + 2 + 13);
  for (size_t length = 1; length < protobuf.size(); ++length) {
    auto records = Deaggregate(Wrap(protobuf.substr(0, length)), "outer");
    if (length == 11 || length == 15) {
      // A cut between fields leaves a well-formed aggregate of tables without records.
      ASSERT_TRUE(records) << records.error().message;
      EXPECT_TRUE(records->empty());
    } else {
      EXPECT_FALSE(records) << "prefix of " << length << " bytes";
    }
  }
}

TEST(DeaggregateTest, MalformedWireEncodingIsAnError) {
  ExpectMalformed("\x1a\x05\x08");              // record longer than the message
  ExpectMalformed("\x0a\x80");                  // truncated length varint
  ExpectMalformed("\x0e");                      // wire type 6
  ExpectMalformed("\x1a\x02\x08\x80");          // truncated index inside a record
  ExpectMalformed(std::string("\x00\x00", 2));  // field number 0
}

TEST(DeaggregateTest, MissingRequiredFieldIsAnError) {
  std::string no_data;
  AppendLengthDelimitedField(kPartitionKeyTableField, "pk", no_data);
  std::string record;
  AppendVarintField(kPartitionKeyIndexField, 0, record);
  AppendLengthDelimitedField(kRecordsField, record, no_data);
  ExpectMalformed(no_data);

  std::string no_index;
  AppendLengthDelimitedField(kPartitionKeyTableField, "pk", no_index);
  record.clear();
  AppendLengthDelimitedField(kDataField, "data", record);
  AppendLengthDelimitedField(kRecordsField, record, no_index);
  ExpectMalformed(no_index);

  std::string tag_without_key;
  AppendLengthDelimitedField(kPartitionKeyTableField, "pk", tag_without_key);
  record = RecordMessage(0, "data");
  std::string tag;
  AppendLengthDelimitedField(2, "value only", tag);
  AppendLengthDelimitedField(kTagsField, tag, record);
  AppendLengthDelimitedField(kRecordsField, record, tag_without_key);
  ExpectMalformed(tag_without_key);
}

TEST(DeaggregateTest, KeyIndexOutsideItsTableIsAnError) {
  std::string bad_partition_key;
  AppendLengthDelimitedField(kPartitionKeyTableField, "pk", bad_partition_key);
  AppendLengthDelimitedField(kRecordsField, RecordMessage(1, "data"), bad_partition_key);
  ExpectMalformed(bad_partition_key);

  std::string bad_hash_key;
  AppendLengthDelimitedField(kPartitionKeyTableField, "pk", bad_hash_key);
  AppendLengthDelimitedField(kExplicitHashKeyTableField, "1", bad_hash_key);
  std::string record;
  AppendVarintField(kPartitionKeyIndexField, 0, record);
  AppendVarintField(kExplicitHashKeyIndexField, 1, record);
  AppendLengthDelimitedField(kDataField, "data", record);
  AppendLengthDelimitedField(kRecordsField, record, bad_hash_key);
  ExpectMalformed(bad_hash_key);
}

}  // namespace
}  // namespace sluice::client
