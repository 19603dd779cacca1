#include "protocol/kinesis_requests.h"

#include <array>

#include "protocol/request_reader.h"
#include "protocol/validation_errors.h"

namespace sluice::protocol::kinesis {

namespace {

const Pattern kNamePattern("[a-zA-Z0-9_.-]+");
const Pattern kArnPattern("arn:aws.*:kinesis:.*:\\d{12}:stream/.+");
const Pattern kHashKeyPattern("0|([1-9]\\d{0,38})");
const Pattern kSequenceNumberPattern("0|([1-9]\\d{0,128})");

constexpr std::array<std::string_view, 2> kStreamModes = {"PROVISIONED", "ON_DEMAND"};
constexpr std::array<std::string_view, 1> kScalingTypes = {"UNIFORM_SCALING"};
constexpr std::array<std::string_view, 2> kEncryptionTypes = {"NONE", "KMS"};
constexpr std::array<std::string_view, 5> kIteratorTypes = {
    "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"};
constexpr std::array<std::string_view, 6> kShardFilterTypes = {
    "AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
    "AT_LATEST",      "AT_TIMESTAMP",    "FROM_TIMESTAMP"};

const StringRule kStreamNameRule{.min_length = 1, .max_length = 128, .pattern = &kNamePattern};
const StringRule kRequiredStreamNameRule{
    .required = true, .min_length = 1, .max_length = 128, .pattern = &kNamePattern};
const StringRule kArnRule{.min_length = 1, .max_length = 2048, .pattern = &kArnPattern};
const StringRule kRequiredArnRule{
    .required = true, .min_length = 1, .max_length = 2048, .pattern = &kArnPattern};
const StringRule kShardIdRule{.min_length = 1, .max_length = 128, .pattern = &kNamePattern};
const StringRule kRequiredShardIdRule{
    .required = true, .min_length = 1, .max_length = 128, .pattern = &kNamePattern};
const StringRule kTagKeyRule{.required = true, .min_length = 1, .max_length = 128};
const StringRule kNextTokenRule{.min_length = 1, .max_length = 1 << 20};
const IntegerRule kPageLimitRule{.min = 1, .max = 10'000};
const IntegerRule kRecordSizeRule{.min = kMinRecordSizeKib, .max = kMaxRecordSizeKib};
const IntegerRule kRequiredRecordSizeRule{
    .required = true, .min = kMinRecordSizeKib, .max = kMaxRecordSizeKib};

std::optional<std::string> Copy(std::optional<std::string_view> value) {
  if (!value) return std::nullopt;
  return std::string(*value);
}

// A required member's value; empty when absent (the reader has recorded the violation).
std::string CopyOrEmpty(std::optional<std::string_view> value) {
  return std::string(value.value_or(""));
}

// StreamName and/or StreamARN. `required`: one of them must be there.
std::optional<StreamRef> ReadStreamRef(RequestReader& reader, bool required) {
  auto name = reader.String("StreamName", kStreamNameRule);
  auto arn = reader.String("StreamARN", kArnRule);
  if (!name && !arn) {
    if (required) reader.AddViolation("null", "StreamName", "Member must not be null");
    return std::nullopt;
  }
  StreamRef ref{name ? std::string(*name) : std::string(), Copy(arn)};
  if (arn) {
    std::optional<std::string> arn_name = StreamNameOfArn(*arn);
    if (arn_name && name && *arn_name != *name) {
      reader.AddViolation("'" + std::string(*arn) + "'", "StreamARN",
                          "Member must name the same stream as StreamName");
    }
    if (arn_name) ref.name = *arn_name;
  }
  return ref;
}

// StreamModeDetails.StreamMode (CreateStream, UpdateStreamMode).
std::optional<std::string> ReadStreamMode(RequestReader& reader, bool required) {
  auto details = reader.Object("StreamModeDetails", required);
  if (!details) return std::nullopt;
  RequestReader nested(*details, reader, "StreamModeDetails");
  return Copy(nested.String("StreamMode", {.required = true, .allowed = kStreamModes}));
}

std::map<std::string, std::string> ReadTagMap(RequestReader& reader,
                                              simdjson::dom::element element) {
  std::map<std::string, std::string> out;
  simdjson::dom::object tags = element.get_object().value_unsafe();
  const size_t size = tags.size();
  if (size < 1 || size > 200) {
    reader.AddViolation("'{...}'", "Tags",
                        size < 1 ? "Member must have length greater than or equal to 1"
                                 : "Member must have length less than or equal to 200");
  }
  for (auto [key, value] : tags) {
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) {
      reader.AddViolation("'" + std::string(key) + "'", "Tags", "Member values must be strings");
      continue;
    }
    if (key.empty() || Utf16Length(key) > 128) {
      reader.AddViolation("'" + std::string(key) + "'", "Tags",
                          "Map keys must have length between 1 and 128");
    }
    if (Utf16Length(text) > 256) {
      reader.AddViolation("'" + std::string(text) + "'", "Tags",
                          "Map values must have length less than or equal to 256");
    }
    out.emplace(std::string(key), std::string(text));
  }
  return out;
}

std::vector<std::string> ReadTagKeys(RequestReader& reader) {
  std::vector<std::string> keys;
  auto list = reader.List("TagKeys", true, 1, 50);
  if (!list) return keys;
  for (simdjson::dom::element item : *list) {
    std::string_view key;
    if (item.get(key) != simdjson::SUCCESS || key.empty() || Utf16Length(key) > 128) {
      reader.AddViolation("'[...]'", "TagKeys",
                          "Member must contain strings of length between 1 and 128");
      continue;
    }
    keys.emplace_back(key);
  }
  return keys;
}

PutRecordEntry ReadRecordEntry(RequestReader& reader, ByteArena& bytes) {
  PutRecordEntry entry;
  entry.data = reader.Blob("Data", bytes, {.required = true, .max_bytes = kMaxRecordDataBytes})
                   .value_or(std::string_view());
  entry.partition_key =
      reader.String("PartitionKey", {.required = true, .min_length = 1, .max_length = 256})
          .value_or(std::string_view());
  entry.explicit_hash_key = reader.String("ExplicitHashKey", {.pattern = &kHashKeyPattern});
  return entry;
}

template <typename T>
Result<T> Finish(const RequestReader& reader, T value) {
  if (auto ok = reader.Finish(); !ok) return Fail(ok.error());
  return value;
}

}  // namespace

std::optional<std::string> StreamNameOfArn(std::string_view arn) {
  const size_t slash = arn.find(":stream/");
  if (!arn.starts_with("arn:aws") || slash == std::string_view::npos) return std::nullopt;
  std::string_view name = arn.substr(slash + 8);
  if (name.empty()) return std::nullopt;
  return std::string(name);
}

Result<CreateStreamRequest> ParseCreateStream(simdjson::dom::element input) {
  RequestReader reader(input);
  CreateStreamRequest request;
  request.name = CopyOrEmpty(reader.String("StreamName", kRequiredStreamNameRule));
  request.shard_count = reader.Integer("ShardCount", {.min = 1});
  request.stream_mode = ReadStreamMode(reader, false);
  if (auto tags = reader.Object("Tags")) request.tags = ReadTagMap(reader, *tags);
  request.max_record_size_kib = reader.Integer("MaxRecordSizeInKiB", kRecordSizeRule);
  return Finish(reader, std::move(request));
}

Result<DeleteStreamRequest> ParseDeleteStream(simdjson::dom::element input) {
  RequestReader reader(input);
  DeleteStreamRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.enforce_consumer_deletion = reader.Boolean("EnforceConsumerDeletion").value_or(false);
  return Finish(reader, std::move(request));
}

Result<DescribeStreamRequest> ParseDescribeStream(simdjson::dom::element input) {
  RequestReader reader(input);
  DescribeStreamRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.limit = reader.Integer("Limit", kPageLimitRule);
  request.exclusive_start_shard_id = Copy(reader.String("ExclusiveStartShardId", kShardIdRule));
  return Finish(reader, std::move(request));
}

Result<StreamRef> ParseStreamOnly(simdjson::dom::element input) {
  RequestReader reader(input);
  StreamRef ref = ReadStreamRef(reader, true).value_or(StreamRef{});
  return Finish(reader, std::move(ref));
}

Result<ListStreamsRequest> ParseListStreams(simdjson::dom::element input) {
  RequestReader reader(input);
  ListStreamsRequest request;
  request.limit = reader.Integer("Limit", kPageLimitRule);
  request.exclusive_start_stream_name =
      Copy(reader.String("ExclusiveStartStreamName", kStreamNameRule));
  request.next_token = Copy(reader.String("NextToken", kNextTokenRule));
  return Finish(reader, std::move(request));
}

Result<ListShardsRequest> ParseListShards(simdjson::dom::element input) {
  RequestReader reader(input);
  ListShardsRequest request;
  request.next_token = Copy(reader.String("NextToken", kNextTokenRule));
  request.stream = ReadStreamRef(reader, false);
  request.exclusive_start_shard_id = Copy(reader.String("ExclusiveStartShardId", kShardIdRule));
  request.max_results = reader.Integer("MaxResults", kPageLimitRule);
  if (auto filter = reader.Object("ShardFilter")) {
    RequestReader nested(*filter, reader, "ShardFilter");
    ShardFilter shard_filter;
    shard_filter.type =
        CopyOrEmpty(nested.String("Type", {.required = true, .allowed = kShardFilterTypes}));
    shard_filter.shard_id = Copy(nested.String("ShardId", kShardIdRule));
    shard_filter.timestamp_ms = nested.TimestampMs("Timestamp");
    request.shard_filter = std::move(shard_filter);
  }
  return Finish(reader, std::move(request));
}

Result<PutRecordRequest> ParsePutRecord(simdjson::dom::element input) {
  RequestReader reader(input);
  PutRecordRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.record = ReadRecordEntry(reader, request.bytes);
  request.sequence_number_for_ordering =
      Copy(reader.String("SequenceNumberForOrdering", {.pattern = &kSequenceNumberPattern}));
  return Finish(reader, std::move(request));
}

Result<PutRecordsRequest> ParsePutRecords(simdjson::dom::element input) {
  RequestReader reader(input);
  PutRecordsRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  if (auto records = reader.List("Records", true, 1, kMaxPutRecordsEntries)) {
    request.records.reserve(records->size());
    size_t index = 0;
    for (simdjson::dom::element item : *records) {
      RequestReader entry(item, reader, "Records", index++);
      request.records.push_back(ReadRecordEntry(entry, request.bytes));
    }
  }
  return Finish(reader, std::move(request));
}

Result<GetShardIteratorRequest> ParseGetShardIterator(simdjson::dom::element input) {
  RequestReader reader(input);
  GetShardIteratorRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.shard_id = CopyOrEmpty(reader.String("ShardId", kRequiredShardIdRule));
  request.type = CopyOrEmpty(
      reader.String("ShardIteratorType", {.required = true, .allowed = kIteratorTypes}));
  request.starting_sequence_number =
      Copy(reader.String("StartingSequenceNumber", {.pattern = &kSequenceNumberPattern}));
  request.timestamp_ms = reader.TimestampMs("Timestamp");
  return Finish(reader, std::move(request));
}

Result<GetRecordsRequest> ParseGetRecords(simdjson::dom::element input) {
  RequestReader reader(input);
  GetRecordsRequest request;
  request.shard_iterator = CopyOrEmpty(
      reader.String("ShardIterator", {.required = true, .min_length = 1, .max_length = 512}));
  request.limit = reader.Integer("Limit", {.min = 1, .max = kMaxGetRecordsLimit});
  reader.String("StreamARN", kArnRule);
  return Finish(reader, std::move(request));
}

Result<RetentionRequest> ParseRetention(simdjson::dom::element input) {
  RequestReader reader(input);
  RetentionRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.hours = reader.Integer("RetentionPeriodHours", {.required = true}).value_or(0);
  return Finish(reader, std::move(request));
}

Result<AddTagsRequest> ParseAddTagsToStream(simdjson::dom::element input) {
  RequestReader reader(input);
  AddTagsRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  if (auto tags = reader.Object("Tags", true)) request.tags = ReadTagMap(reader, *tags);
  return Finish(reader, std::move(request));
}

Result<RemoveTagsRequest> ParseRemoveTagsFromStream(simdjson::dom::element input) {
  RequestReader reader(input);
  RemoveTagsRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.keys = ReadTagKeys(reader);
  return Finish(reader, std::move(request));
}

Result<ListTagsForStreamRequest> ParseListTagsForStream(simdjson::dom::element input) {
  RequestReader reader(input);
  ListTagsForStreamRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  StringRule key_rule = kTagKeyRule;
  key_rule.required = false;
  request.exclusive_start_tag_key = Copy(reader.String("ExclusiveStartTagKey", key_rule));
  request.limit = reader.Integer("Limit", {.min = 1, .max = 50});
  return Finish(reader, std::move(request));
}

namespace {

StreamRef ReadResourceArn(RequestReader& reader) {
  auto arn = reader.String("ResourceARN", kRequiredArnRule);
  if (!arn) return {};
  return StreamRef{StreamNameOfArn(*arn).value_or(""), std::string(*arn)};
}

}  // namespace

Result<AddTagsRequest> ParseTagResource(simdjson::dom::element input) {
  RequestReader reader(input);
  AddTagsRequest request;
  request.stream = ReadResourceArn(reader);
  if (auto tags = reader.Object("Tags", true)) request.tags = ReadTagMap(reader, *tags);
  return Finish(reader, std::move(request));
}

Result<RemoveTagsRequest> ParseUntagResource(simdjson::dom::element input) {
  RequestReader reader(input);
  RemoveTagsRequest request;
  request.stream = ReadResourceArn(reader);
  request.keys = ReadTagKeys(reader);
  return Finish(reader, std::move(request));
}

Result<StreamRef> ParseListTagsForResource(simdjson::dom::element input) {
  RequestReader reader(input);
  StreamRef ref = ReadResourceArn(reader);
  return Finish(reader, std::move(ref));
}

Status CheckRecordDataSizes(std::span<const PutRecordEntry> records, size_t max_bytes,
                            bool listed) {
  ValidationErrors errors;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].data.size() <= max_bytes) continue;
    const std::string path = listed ? "records." + std::to_string(i + 1) + ".member.data" : "data";
    errors.Add(QuotedBlob(records[i].data.size()), path,
               "Member must have length less than or equal to " + std::to_string(max_bytes));
  }
  return errors.ToStatus();
}

Result<SplitShardRequest> ParseSplitShard(simdjson::dom::element input) {
  RequestReader reader(input);
  SplitShardRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.shard_to_split = CopyOrEmpty(reader.String("ShardToSplit", kRequiredShardIdRule));
  request.new_starting_hash_key = CopyOrEmpty(
      reader.String("NewStartingHashKey", {.required = true, .pattern = &kHashKeyPattern}));
  return Finish(reader, std::move(request));
}

Result<MergeShardsRequest> ParseMergeShards(simdjson::dom::element input) {
  RequestReader reader(input);
  MergeShardsRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.shard_to_merge = CopyOrEmpty(reader.String("ShardToMerge", kRequiredShardIdRule));
  request.adjacent_shard_to_merge =
      CopyOrEmpty(reader.String("AdjacentShardToMerge", kRequiredShardIdRule));
  return Finish(reader, std::move(request));
}

Result<UpdateShardCountRequest> ParseUpdateShardCount(simdjson::dom::element input) {
  RequestReader reader(input);
  UpdateShardCountRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.target_shard_count =
      reader.Integer("TargetShardCount", {.required = true, .min = 1}).value_or(0);
  request.scaling_type =
      CopyOrEmpty(reader.String("ScalingType", {.required = true, .allowed = kScalingTypes}));
  return Finish(reader, std::move(request));
}

Result<UpdateStreamModeRequest> ParseUpdateStreamMode(simdjson::dom::element input) {
  RequestReader reader(input);
  UpdateStreamModeRequest request;
  request.stream_arn = CopyOrEmpty(reader.String("StreamARN", kRequiredArnRule));
  request.stream_mode = ReadStreamMode(reader, true).value_or("");
  return Finish(reader, std::move(request));
}

Result<StreamEncryptionRequest> ParseStreamEncryption(simdjson::dom::element input) {
  RequestReader reader(input);
  StreamEncryptionRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.encryption_type =
      CopyOrEmpty(reader.String("EncryptionType", {.required = true, .allowed = kEncryptionTypes}));
  request.key_id =
      CopyOrEmpty(reader.String("KeyId", {.required = true, .min_length = 1, .max_length = 2048}));
  return Finish(reader, std::move(request));
}

Result<UpdateMaxRecordSizeRequest> ParseUpdateMaxRecordSize(simdjson::dom::element input) {
  RequestReader reader(input);
  UpdateMaxRecordSizeRequest request;
  request.stream = ReadStreamRef(reader, true).value_or(StreamRef{});
  request.max_record_size_kib =
      reader.Integer("MaxRecordSizeInKiB", kRequiredRecordSizeRule).value_or(0);
  return Finish(reader, std::move(request));
}

}  // namespace sluice::protocol::kinesis
