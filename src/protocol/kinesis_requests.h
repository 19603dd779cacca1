#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_arena.h"
#include "common/result.h"

// Kinesis Data Streams request shapes (Kinesis_20131202.*) and their parsing: JSON member
// names, types and the API model's constraints (length, pattern, range, enum, required),
// reported in AWS's ValidationException wording. Cross-member rules that need server
// state (does the stream exist, is the shard open) belong to the stream module.
namespace sluice::protocol::kinesis {

// A stream named by StreamName or StreamARN (at least one; both must agree).
struct StreamRef {
  std::string name;
  std::optional<std::string> arn;  // as given, for region/account checks
};

struct CreateStreamRequest {
  std::string name;
  std::optional<int64_t> shard_count;
  std::optional<std::string> stream_mode;  // PROVISIONED | ON_DEMAND
  std::map<std::string, std::string> tags;
  std::optional<int64_t> max_record_size_kib;
};

struct DeleteStreamRequest {
  StreamRef stream;
  bool enforce_consumer_deletion = false;
};

struct DescribeStreamRequest {
  StreamRef stream;
  std::optional<int64_t> limit;
  std::optional<std::string> exclusive_start_shard_id;
};

struct ListStreamsRequest {
  std::optional<int64_t> limit;
  std::optional<std::string> exclusive_start_stream_name;
  std::optional<std::string> next_token;
};

struct ShardFilter {
  std::string type;
  std::optional<std::string> shard_id;
  std::optional<int64_t> timestamp_ms;
};

struct ListShardsRequest {
  std::optional<StreamRef> stream;  // absent when NextToken is given
  std::optional<std::string> next_token;
  std::optional<std::string> exclusive_start_shard_id;
  std::optional<int64_t> max_results;
  std::optional<ShardFilter> shard_filter;
};

// Views: the data into its request's `bytes`, the rest into the parsed input, which must
// outlive the request's use.
struct PutRecordEntry {
  std::string_view data;
  std::string_view partition_key;
  std::optional<std::string_view> explicit_hash_key;
};

struct PutRecordRequest {
  StreamRef stream;
  PutRecordEntry record;
  std::optional<std::string> sequence_number_for_ordering;
  ByteArena bytes;  // the decoded data
};

struct PutRecordsRequest {
  StreamRef stream;
  std::vector<PutRecordEntry> records;
  ByteArena bytes;  // the records' decoded data, in few allocations
};

struct GetShardIteratorRequest {
  StreamRef stream;
  std::string shard_id;
  std::string type;
  std::optional<std::string> starting_sequence_number;
  std::optional<int64_t> timestamp_ms;
};

struct GetRecordsRequest {
  std::string shard_iterator;
  std::optional<int64_t> limit;
};

struct RetentionRequest {
  StreamRef stream;
  int64_t hours = 0;
};

struct AddTagsRequest {
  StreamRef stream;
  std::map<std::string, std::string> tags;
};

struct RemoveTagsRequest {
  StreamRef stream;
  std::vector<std::string> keys;
};

struct ListTagsForStreamRequest {
  StreamRef stream;
  std::optional<std::string> exclusive_start_tag_key;
  std::optional<int64_t> limit;
};

struct SplitShardRequest {
  StreamRef stream;
  std::string shard_to_split;
  std::string new_starting_hash_key;  // decimal, at most 39 digits
};

struct MergeShardsRequest {
  StreamRef stream;
  std::string shard_to_merge;
  std::string adjacent_shard_to_merge;
};

struct UpdateShardCountRequest {
  StreamRef stream;
  int64_t target_shard_count = 0;
  std::string scaling_type;  // UNIFORM_SCALING
};

// UpdateStreamMode names the stream by StreamARN only.
struct UpdateStreamModeRequest {
  std::string stream_arn;
  std::string stream_mode;  // PROVISIONED | ON_DEMAND
};

// StartStreamEncryption and StopStreamEncryption (one input shape).
struct StreamEncryptionRequest {
  StreamRef stream;
  std::string encryption_type;  // NONE | KMS
  std::string key_id;
};

struct UpdateMaxRecordSizeRequest {
  StreamRef stream;
  int64_t max_record_size_kib = 0;
};

// Limits from the Kinesis API model and service quotas.
// Record data up to the largest record a stream may allow; the stream's own limit is
// checked once the stream is known (CheckRecordDataSizes).
inline constexpr size_t kMaxRecordDataBytes = size_t{10} << 20;
inline constexpr size_t kMaxPutRecordsEntries = 500;
inline constexpr size_t kMaxPutRecordsBytes = 10 << 20;
inline constexpr int64_t kMaxGetRecordsLimit = 10'000;
// MaxRecordSizeInKiB of CreateStream and UpdateMaxRecordSize.
inline constexpr int64_t kMinRecordSizeKib = 1024;
inline constexpr int64_t kMaxRecordSizeKib = 10240;

[[nodiscard]] Result<CreateStreamRequest> ParseCreateStream(simdjson::dom::element input);
[[nodiscard]] Result<DeleteStreamRequest> ParseDeleteStream(simdjson::dom::element input);
[[nodiscard]] Result<DescribeStreamRequest> ParseDescribeStream(simdjson::dom::element input);
[[nodiscard]] Result<StreamRef> ParseStreamOnly(simdjson::dom::element input);
[[nodiscard]] Result<ListStreamsRequest> ParseListStreams(simdjson::dom::element input);
[[nodiscard]] Result<ListShardsRequest> ParseListShards(simdjson::dom::element input);
[[nodiscard]] Result<PutRecordRequest> ParsePutRecord(simdjson::dom::element input);
[[nodiscard]] Result<PutRecordsRequest> ParsePutRecords(simdjson::dom::element input);
[[nodiscard]] Result<GetShardIteratorRequest> ParseGetShardIterator(simdjson::dom::element input);
[[nodiscard]] Result<GetRecordsRequest> ParseGetRecords(simdjson::dom::element input);
[[nodiscard]] Result<RetentionRequest> ParseRetention(simdjson::dom::element input);
[[nodiscard]] Result<AddTagsRequest> ParseAddTagsToStream(simdjson::dom::element input);
[[nodiscard]] Result<RemoveTagsRequest> ParseRemoveTagsFromStream(simdjson::dom::element input);
[[nodiscard]] Result<ListTagsForStreamRequest> ParseListTagsForStream(simdjson::dom::element input);
// TagResource / UntagResource / ListTagsForResource name the stream by ResourceARN.
[[nodiscard]] Result<AddTagsRequest> ParseTagResource(simdjson::dom::element input);
[[nodiscard]] Result<RemoveTagsRequest> ParseUntagResource(simdjson::dom::element input);
[[nodiscard]] Result<StreamRef> ParseListTagsForResource(simdjson::dom::element input);
[[nodiscard]] Result<SplitShardRequest> ParseSplitShard(simdjson::dom::element input);
[[nodiscard]] Result<MergeShardsRequest> ParseMergeShards(simdjson::dom::element input);
[[nodiscard]] Result<UpdateShardCountRequest> ParseUpdateShardCount(simdjson::dom::element input);
[[nodiscard]] Result<UpdateStreamModeRequest> ParseUpdateStreamMode(simdjson::dom::element input);
// StartStreamEncryption and StopStreamEncryption.
[[nodiscard]] Result<StreamEncryptionRequest> ParseStreamEncryption(simdjson::dom::element input);
// UpdateMaxRecordSize: the model names the stream by StreamARN; StreamName is accepted too.
[[nodiscard]] Result<UpdateMaxRecordSizeRequest> ParseUpdateMaxRecordSize(
    simdjson::dom::element input);

// The data of every record within the target stream's limit (UpdateMaxRecordSize), in the
// wording of the model's length constraint: at 'data' for PutRecord (`listed` false), at
// 'records.N.member.data' for PutRecords.
[[nodiscard]] Status CheckRecordDataSizes(std::span<const PutRecordEntry> records, size_t max_bytes,
                                          bool listed);

// The stream name of a Kinesis stream ARN, or nullopt if `arn` is not one.
std::optional<std::string> StreamNameOfArn(std::string_view arn);

}  // namespace sluice::protocol::kinesis
