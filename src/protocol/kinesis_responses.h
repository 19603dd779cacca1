#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json_writer.h"

// Kinesis Data Streams response bodies. The *View structs carry plain values the stream
// module computed; these functions own the JSON member names.
namespace sluice::protocol::kinesis {

struct ShardView {
  std::string shard_id;
  std::optional<std::string> parent_shard_id;
  std::optional<std::string> adjacent_parent_shard_id;
  std::string starting_hash_key;
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::optional<std::string> ending_sequence_number;
};

struct StreamView {
  std::string name;
  std::string arn;
  std::string status;  // CREATING | ACTIVE | DELETING | UPDATING
  std::string mode;    // PROVISIONED | ON_DEMAND
  int64_t created_ms = 0;
  int64_t retention_hours = 24;
  std::string encryption_type = "NONE";
  std::optional<std::string> key_id;
  int64_t open_shard_count = 0;
  int64_t consumer_count = 0;
  int64_t max_record_size_kib = 1024;
};

struct PutResultView {
  std::string_view shard_id;  // views stay valid until the response is written
  std::string_view sequence_number;
  std::optional<std::string> error_code;  // set for a failed record
  std::string error_message;
};

struct RecordView {
  std::string_view sequence_number;
  int64_t arrival_ms = 0;
  std::string_view partition_key;
  std::string_view data;   // raw bytes; written base64-encoded
  bool encrypted = false;  // stored encrypted: "EncryptionType": "KMS"
};

struct ChildShardView {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  std::string starting_hash_key;
  std::string ending_hash_key;
};

std::string DescribeStreamResponse(const StreamView& stream, const std::vector<ShardView>& shards,
                                   bool has_more_shards);
std::string DescribeStreamSummaryResponse(const StreamView& stream);
std::string ListStreamsResponse(const std::vector<StreamView>& streams, bool has_more,
                                const std::optional<std::string>& next_token);
std::string ListShardsResponse(const std::vector<ShardView>& shards,
                               const std::optional<std::string>& next_token);
std::string PutRecordResponse(const PutResultView& result, std::string_view encryption_type);
std::string PutRecordsResponse(const std::vector<PutResultView>& results,
                               std::string_view encryption_type);
std::string GetShardIteratorResponse(std::string_view shard_iterator);
std::string ListTagsForStreamResponse(const std::map<std::string, std::string>& tags,
                                      bool has_more);
std::string ListTagsForResourceResponse(const std::map<std::string, std::string>& tags);
std::string DescribeLimitsResponse(int64_t shard_limit, int64_t open_shard_count,
                                   int64_t on_demand_stream_count,
                                   int64_t on_demand_stream_count_limit);
std::string UpdateShardCountResponse(std::string_view stream_name, int64_t current_shard_count,
                                     int64_t target_shard_count, std::string_view stream_arn);
std::string EmptyResponse();

// Writes a GetRecords response record by record, base64-encoding data straight from the
// caller's buffers into the response (one copy of each record body). The hot path of
// GetRecords: member names are written as literals, only partition keys are escaped.
class GetRecordsResponseWriter {
 public:
  explicit GetRecordsResponseWriter(size_t reserve_bytes);
  void Add(const RecordView& record);
  // next_shard_iterator is absent at the end of a closed shard, which then names its
  // children.
  std::string Finish(const std::optional<std::string>& next_shard_iterator,
                     int64_t millis_behind_latest, const std::vector<ChildShardView>& children);

 private:
  std::string out_;
  bool first_record_ = true;
  // The last ApproximateArrivalTimestamp written, as text: the records of one put share
  // their arrival time, and formatting a double takes ~40 ns.
  int64_t arrival_ms_ = std::numeric_limits<int64_t>::min();
  std::array<char, 32> arrival_text_{};
  size_t arrival_size_ = 0;
};

}  // namespace sluice::protocol::kinesis
