#include "kinesis_calls.h"

#include <simdjson.h>

#include <array>

#include "common/base64.h"
#include "protocol/json_parser_pool.h"
#include "protocol/json_writer.h"

namespace sluice::client {

namespace {

protocol::JsonParserPool& Parsers() {
  static protocol::JsonParserPool pool;
  return pool;
}

std::string_view StringOr(simdjson::dom::element object, std::string_view key,
                          std::string_view fallback = {}) {
  std::string_view value;
  if (object[key].get_string().get(value) != simdjson::SUCCESS) return fallback;
  return value;
}

}  // namespace

PutRecordsBodyWriter::PutRecordsBodyWriter(std::string_view stream, size_t data_bytes_hint) {
  body_.reserve(64 + stream.size() + data_bytes_hint * 4 / 3 + data_bytes_hint / 8);
  body_.append("{\"StreamName\":");
  protocol::AppendJsonString(body_, stream);
  body_.append(",\"Records\":[");
}

void PutRecordsBodyWriter::Add(std::string_view data, std::string_view partition_key,
                               std::string_view explicit_hash_key) {
  if (!first_) body_.push_back(',');
  first_ = false;
  body_.append("{\"Data\":\"");
  Base64Encode(data, body_);
  body_.append("\",\"PartitionKey\":");
  protocol::AppendJsonString(body_, partition_key);
  if (!explicit_hash_key.empty()) {
    body_.append(",\"ExplicitHashKey\":\"").append(explicit_hash_key).push_back('"');
  }
  body_.push_back('}');
}

std::string PutRecordsBodyWriter::Finish() {
  body_.append("]}");
  return std::move(body_);
}

Result<std::vector<RecordOutcome>> ParsePutRecordsResponse(std::string_view body, size_t sent) {
  auto lease = Parsers().Acquire();
  auto root = lease->Parse(body);
  if (!root) return Fail(ErrorCode::kInternal, "PutRecords response is not JSON");
  simdjson::dom::array records;
  if ((*root)["Records"].get_array().get(records) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kInternal, "PutRecords response has no Records array");
  }
  std::vector<RecordOutcome> outcomes;
  outcomes.reserve(sent);
  for (simdjson::dom::element record : records) {
    RecordOutcome& outcome = outcomes.emplace_back();
    outcome.error_code = StringOr(record, "ErrorCode");
    if (outcome.ok()) {
      outcome.sequence_number = StringOr(record, "SequenceNumber");
      outcome.shard_id = StringOr(record, "ShardId");
      if (outcome.sequence_number.empty()) {
        outcome.error_code = "InternalFailure";
        outcome.error_message = "PutRecords result without SequenceNumber or ErrorCode";
      }
    } else {
      outcome.error_message = StringOr(record, "ErrorMessage");
    }
  }
  if (outcomes.size() != sent) {
    return Fail(ErrorCode::kInternal, "PutRecords response has " + std::to_string(outcomes.size()) +
                                          " results for " + std::to_string(sent) + " records sent");
  }
  return outcomes;
}

ServiceError ParseServiceError(const HttpResponse& response) {
  ServiceError error;
  auto lease = Parsers().Acquire();
  if (auto root = lease->Parse(response.body)) {
    error.type = StringOr(*root, "__type");
    error.message = StringOr(*root, "message", StringOr(*root, "Message"));
  }
  if (error.type.empty()) error.type = response.error_type.substr(0, response.error_type.find(':'));
  if (size_t hash = error.type.rfind('#'); hash != std::string::npos) {
    error.type.erase(0, hash + 1);
  }
  if (error.type.empty()) error.type = "HttpError";
  if (error.message.empty()) error.message = "HTTP status " + std::to_string(response.status);
  return error;
}

bool IsRetryable(std::string_view error_code, unsigned http_status) {
  if (http_status >= 500) return true;
  static constexpr std::array<std::string_view, 16> kRetryable = {kThrottled,
                                                                  "InternalFailure",
                                                                  "InternalServerError",
                                                                  "ServiceUnavailable",
                                                                  "ServiceUnavailableException",
                                                                  "ThrottlingException",
                                                                  "Throttling",
                                                                  "LimitExceededException",
                                                                  "KMSThrottlingException",
                                                                  "RequestTimeout",
                                                                  "RequestTimeoutException",
                                                                  "ResourceInUseException",
                                                                  "RequestExpired",
                                                                  "Timeout",
                                                                  "ConnectionError",
                                                                  "WrongShard"};
  for (std::string_view code : kRetryable) {
    if (code == error_code) return true;
  }
  return false;
}

std::string ListShardsBody(std::string_view stream, const std::optional<std::string>& next_token) {
  protocol::JsonWriter writer(128);
  writer.BeginObject();
  if (next_token) {
    writer.Key("NextToken").String(*next_token);
  } else {
    writer.Key("StreamName").String(stream);
  }
  writer.Key("MaxResults").Int(1000).EndObject();
  return writer.Take();
}

Result<ListShardsPage> ParseListShardsResponse(std::string_view body) {
  auto lease = Parsers().Acquire();
  auto root = lease->Parse(body);
  if (!root) return Fail(ErrorCode::kInternal, "ListShards response is not JSON");
  simdjson::dom::array shards;
  if ((*root)["Shards"].get_array().get(shards) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kInternal, "ListShards response has no Shards array");
  }
  ListShardsPage page;
  for (simdjson::dom::element shard : shards) {
    ListedShard& listed = page.shards.emplace_back();
    listed.shard_id = StringOr(shard, "ShardId");
    simdjson::dom::element range;
    if (shard["HashKeyRange"].get(range) != simdjson::SUCCESS) {
      return Fail(ErrorCode::kInternal, "ListShards shard without HashKeyRange");
    }
    auto start = ParseHashKey(StringOr(range, "StartingHashKey"));
    auto end = ParseHashKey(StringOr(range, "EndingHashKey"));
    if (listed.shard_id.empty() || !start || !end || *start > *end) {
      return Fail(ErrorCode::kInternal, "ListShards shard with a bad id or hash key range");
    }
    listed.start = *start;
    listed.end = *end;
    simdjson::dom::element sequence_range;
    if (shard["SequenceNumberRange"].get(sequence_range) == simdjson::SUCCESS) {
      listed.open = StringOr(sequence_range, "EndingSequenceNumber").empty();
    }
  }
  std::string_view token = StringOr(*root, "NextToken");
  if (!token.empty()) page.next_token = std::string(token);
  return page;
}

}  // namespace sluice::client
