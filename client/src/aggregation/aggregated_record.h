#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sluice::client {

// The KPL aggregated record: many user records in the data of one Kinesis record, as the
// AWS Kinesis Producer Library writes it and the Kinesis Client Library reads it (format
// page: docs/formats/kpl-aggregated-record.md).
//
//   data = kAggregateMagic (4 bytes) | AggregatedRecord (protobuf) | MD5 of the protobuf (16)
//
//   message AggregatedRecord {
//     repeated string partition_key_table = 1;
//     repeated string explicit_hash_key_table = 2;
//     repeated Record records = 3;
//   }
//   message Record {
//     required uint64 partition_key_index = 1;
//     optional uint64 explicit_hash_key_index = 2;
//     required bytes data = 3;
//     repeated Tag tags = 4;
//   }
//   message Tag { required string key = 1; optional string value = 2; }

inline constexpr std::array<char, 4> kAggregateMagic = {'\xF3', '\x89', '\x9A', '\xC2'};
inline constexpr size_t kAggregateDigestBytes = 16;
// Magic and digest: what an aggregate adds to its protobuf message.
inline constexpr size_t kAggregateOverheadBytes = kAggregateMagic.size() + kAggregateDigestBytes;

// Field numbers of the messages above.
inline constexpr uint32_t kPartitionKeyTableField = 1;
inline constexpr uint32_t kExplicitHashKeyTableField = 2;
inline constexpr uint32_t kRecordsField = 3;
inline constexpr uint32_t kPartitionKeyIndexField = 1;
inline constexpr uint32_t kExplicitHashKeyIndexField = 2;
inline constexpr uint32_t kDataField = 3;
inline constexpr uint32_t kTagsField = 4;
inline constexpr uint32_t kTagKeyField = 1;

// The largest Kinesis record by default: data plus partition key (PutRecord's 1 MiB; a
// stream may allow up to 10 MiB through MaxRecordSizeInKiB).
inline constexpr size_t kDefaultMaxKinesisRecordBytes = size_t{1} << 20;

// One user record: what a producer puts and a consumer gets. Inside an aggregate, a record
// without an explicit hash key is routed by the MD5 of its partition key.
struct UserRecord {
  std::string partition_key = {};
  std::optional<std::string> explicit_hash_key = std::nullopt;
  std::string data = {};

  friend bool operator==(const UserRecord&, const UserRecord&) = default;
};

// A user record the caller owns; the views must stay valid for the call they are passed to.
struct UserRecordView {
  std::string_view partition_key = {};
  std::optional<std::string_view> explicit_hash_key = std::nullopt;
  std::string_view data = {};
};

// The MD5 digest that ends an aggregate, of its protobuf bytes.
std::array<char, kAggregateDigestBytes> AggregateDigest(std::string_view protobuf);

// Appends to each aggregate in `unsealed` (magic | AggregatedRecord, as
// Aggregator::FinishUnsealed leaves it) the digest of its protobuf bytes, all digests at
// once (Md5Many: many aggregates cost about what one costs alone).
void SealAggregates(std::span<std::string* const> unsealed);

}  // namespace sluice::client
