#include "protocol/kinesis_responses.h"

#include <charconv>

#include "common/base64.h"

namespace sluice::protocol::kinesis {

namespace {

double EpochSeconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

void WriteShard(JsonWriter& w, const ShardView& shard) {
  w.BeginObject().Key("ShardId").String(shard.shard_id);
  if (shard.parent_shard_id) w.Key("ParentShardId").String(*shard.parent_shard_id);
  if (shard.adjacent_parent_shard_id) {
    w.Key("AdjacentParentShardId").String(*shard.adjacent_parent_shard_id);
  }
  w.Key("HashKeyRange")
      .BeginObject()
      .Key("StartingHashKey")
      .String(shard.starting_hash_key)
      .Key("EndingHashKey")
      .String(shard.ending_hash_key)
      .EndObject();
  w.Key("SequenceNumberRange")
      .BeginObject()
      .Key("StartingSequenceNumber")
      .String(shard.starting_sequence_number);
  if (shard.ending_sequence_number) {
    w.Key("EndingSequenceNumber").String(*shard.ending_sequence_number);
  }
  w.EndObject().EndObject();
}

void WriteShards(JsonWriter& w, const std::vector<ShardView>& shards) {
  w.BeginArray();
  for (const ShardView& shard : shards) WriteShard(w, shard);
  w.EndArray();
}

void WriteModeDetails(JsonWriter& w, const StreamView& stream) {
  w.Key("StreamModeDetails").BeginObject().Key("StreamMode").String(stream.mode).EndObject();
}

void WriteEncryption(JsonWriter& w, const StreamView& stream) {
  w.Key("EncryptionType").String(stream.encryption_type);
  if (stream.key_id) w.Key("KeyId").String(*stream.key_id);
}

void WriteMonitoring(JsonWriter& w) {
  w.Key("EnhancedMonitoring")
      .BeginArray()
      .BeginObject()
      .Key("ShardLevelMetrics")
      .BeginArray()
      .EndArray()
      .EndObject()
      .EndArray();
}

void WriteTagList(JsonWriter& w, const std::map<std::string, std::string>& tags) {
  w.Key("Tags").BeginArray();
  for (const auto& [key, value] : tags) {
    w.BeginObject().Key("Key").String(key).Key("Value").String(value).EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string DescribeStreamResponse(const StreamView& stream, const std::vector<ShardView>& shards,
                                   bool has_more_shards) {
  JsonWriter w(512 + shards.size() * 256);
  w.BeginObject().Key("StreamDescription").BeginObject();
  w.Key("StreamName").String(stream.name).Key("StreamARN").String(stream.arn);
  w.Key("StreamStatus").String(stream.status);
  WriteModeDetails(w, stream);
  w.Key("Shards");
  WriteShards(w, shards);
  w.Key("HasMoreShards").Bool(has_more_shards);
  w.Key("RetentionPeriodHours").Int(stream.retention_hours);
  w.Key("StreamCreationTimestamp").Double(EpochSeconds(stream.created_ms));
  WriteMonitoring(w);
  WriteEncryption(w, stream);
  w.EndObject().EndObject();
  return w.Take();
}

std::string DescribeStreamSummaryResponse(const StreamView& stream) {
  JsonWriter w(512);
  w.BeginObject().Key("StreamDescriptionSummary").BeginObject();
  w.Key("StreamName").String(stream.name).Key("StreamARN").String(stream.arn);
  w.Key("StreamStatus").String(stream.status);
  WriteModeDetails(w, stream);
  w.Key("RetentionPeriodHours").Int(stream.retention_hours);
  w.Key("StreamCreationTimestamp").Double(EpochSeconds(stream.created_ms));
  WriteMonitoring(w);
  WriteEncryption(w, stream);
  w.Key("OpenShardCount").Int(stream.open_shard_count);
  w.Key("ConsumerCount").Int(stream.consumer_count);
  w.Key("MaxRecordSizeInKiB").Int(stream.max_record_size_kib);
  w.EndObject().EndObject();
  return w.Take();
}

std::string ListStreamsResponse(const std::vector<StreamView>& streams, bool has_more,
                                const std::optional<std::string>& next_token) {
  JsonWriter w(256 + streams.size() * 256);
  w.BeginObject().Key("StreamNames").BeginArray();
  for (const StreamView& stream : streams) w.String(stream.name);
  w.EndArray().Key("HasMoreStreams").Bool(has_more);
  if (next_token) w.Key("NextToken").String(*next_token);
  w.Key("StreamSummaries").BeginArray();
  for (const StreamView& stream : streams) {
    w.BeginObject().Key("StreamName").String(stream.name).Key("StreamARN").String(stream.arn);
    w.Key("StreamStatus").String(stream.status);
    WriteModeDetails(w, stream);
    w.Key("StreamCreationTimestamp").Double(EpochSeconds(stream.created_ms)).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string ListShardsResponse(const std::vector<ShardView>& shards,
                               const std::optional<std::string>& next_token) {
  JsonWriter w(256 + shards.size() * 256);
  w.BeginObject().Key("Shards");
  WriteShards(w, shards);
  if (next_token) w.Key("NextToken").String(*next_token);
  w.EndObject();
  return w.Take();
}

std::string PutRecordResponse(const PutResultView& result, std::string_view encryption_type) {
  JsonWriter w(160);
  w.BeginObject().Key("ShardId").String(result.shard_id);
  w.Key("SequenceNumber").String(result.sequence_number);
  w.Key("EncryptionType").String(encryption_type).EndObject();
  return w.Take();
}

std::string PutRecordsResponse(const std::vector<PutResultView>& results,
                               std::string_view encryption_type) {
  int64_t failed = 0;
  for (const PutResultView& result : results) failed += result.error_code ? 1 : 0;
  // By hand, member names as literals (as GetRecordsResponseWriter): this runs for every
  // record put. Sequence numbers are digits and shard ids plain ASCII.
  std::string out;
  out.reserve(64 + results.size() * 112);
  out.append("{\"FailedRecordCount\":").append(std::to_string(failed)).append(",\"Records\":[");
  for (size_t i = 0; i < results.size(); ++i) {
    const PutResultView& result = results[i];
    if (i > 0) out.push_back(',');
    if (result.error_code) {
      out.append("{\"ErrorCode\":");
      AppendJsonString(out, *result.error_code);
      out.append(",\"ErrorMessage\":");
      AppendJsonString(out, result.error_message);
      out.push_back('}');
    } else {
      out.append("{\"SequenceNumber\":\"").append(result.sequence_number);
      out.append("\",\"ShardId\":\"").append(result.shard_id).append("\"}");
    }
  }
  out.append("],\"EncryptionType\":");
  AppendJsonString(out, encryption_type);
  out.push_back('}');
  return out;
}

std::string GetShardIteratorResponse(std::string_view shard_iterator) {
  JsonWriter w(128);
  w.BeginObject().Key("ShardIterator").String(shard_iterator).EndObject();
  return w.Take();
}

std::string ListTagsForStreamResponse(const std::map<std::string, std::string>& tags,
                                      bool has_more) {
  JsonWriter w(64 + tags.size() * 64);
  w.BeginObject();
  WriteTagList(w, tags);
  w.Key("HasMoreTags").Bool(has_more).EndObject();
  return w.Take();
}

std::string ListTagsForResourceResponse(const std::map<std::string, std::string>& tags) {
  JsonWriter w(64 + tags.size() * 64);
  w.BeginObject();
  WriteTagList(w, tags);
  w.EndObject();
  return w.Take();
}

std::string DescribeLimitsResponse(int64_t shard_limit, int64_t open_shard_count,
                                   int64_t on_demand_stream_count,
                                   int64_t on_demand_stream_count_limit) {
  JsonWriter w(160);
  w.BeginObject().Key("ShardLimit").Int(shard_limit).Key("OpenShardCount").Int(open_shard_count);
  w.Key("OnDemandStreamCount").Int(on_demand_stream_count);
  w.Key("OnDemandStreamCountLimit").Int(on_demand_stream_count_limit).EndObject();
  return w.Take();
}

std::string UpdateShardCountResponse(std::string_view stream_name, int64_t current_shard_count,
                                     int64_t target_shard_count, std::string_view stream_arn) {
  JsonWriter w(128 + stream_name.size() + stream_arn.size());
  w.BeginObject().Key("StreamName").String(stream_name);
  w.Key("CurrentShardCount").Int(current_shard_count);
  w.Key("TargetShardCount").Int(target_shard_count);
  w.Key("StreamARN").String(stream_arn).EndObject();
  return w.Take();
}

std::string EmptyResponse() { return "{}"; }

GetRecordsResponseWriter::GetRecordsResponseWriter(size_t reserve_bytes) {
  out_.reserve(reserve_bytes);
  out_ = "{\"Records\":[";
}

void GetRecordsResponseWriter::Add(const RecordView& record) {
  out_.append(first_record_ ? "{\"SequenceNumber\":\"" : ",{\"SequenceNumber\":\"");
  first_record_ = false;
  out_.append(record.sequence_number);
  out_.append("\",\"ApproximateArrivalTimestamp\":");
  if (record.arrival_ms != arrival_ms_) {
    char* const text = arrival_text_.data();
    auto [end, ec] =
        std::to_chars(text, text + arrival_text_.size(), EpochSeconds(record.arrival_ms));
    arrival_size_ = static_cast<size_t>(end - text);
    arrival_ms_ = record.arrival_ms;
  }
  out_.append(arrival_text_.data(), arrival_size_);
  out_.append(",\"Data\":\"");
  Base64Encode(record.data, out_);
  out_.append("\",\"PartitionKey\":");
  AppendJsonString(out_, record.partition_key);
  out_.append(record.encrypted ? ",\"EncryptionType\":\"KMS\"}" : "}");
}

std::string GetRecordsResponseWriter::Finish(const std::optional<std::string>& next_shard_iterator,
                                             int64_t millis_behind_latest,
                                             const std::vector<ChildShardView>& children) {
  JsonWriter tail;
  tail.BeginObject();
  if (next_shard_iterator) tail.Key("NextShardIterator").String(*next_shard_iterator);
  tail.Key("MillisBehindLatest").Int(millis_behind_latest);
  if (!children.empty()) {
    tail.Key("ChildShards").BeginArray();
    for (const ChildShardView& child : children) {
      tail.BeginObject().Key("ShardId").String(child.shard_id).Key("ParentShards").BeginArray();
      for (const std::string& parent : child.parent_shards) tail.String(parent);
      tail.EndArray()
          .Key("HashKeyRange")
          .BeginObject()
          .Key("StartingHashKey")
          .String(child.starting_hash_key)
          .Key("EndingHashKey")
          .String(child.ending_hash_key)
          .EndObject()
          .EndObject();
    }
    tail.EndArray();
  }
  tail.EndObject();
  // "{...}" of the tail becomes "],...}" after the records.
  out_.append("],");
  out_.append(std::string_view(tail.str()).substr(1));
  return std::move(out_);
}

}  // namespace sluice::protocol::kinesis
