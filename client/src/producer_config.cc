#include <charconv>
#include <functional>
#include <limits>
#include <map>

#include "endpoint.h"
#include "sluice/producer.h"

namespace sluice::client {

namespace {

Result<uint64_t> ParseUnsigned(std::string_view name, std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Fail(ErrorCode::kInvalidArgument, "setting " + std::string(name) + ": '" +
                                                 std::string(text) +
                                                 "' is not a non-negative integer");
  }
  return value;
}

Result<bool> ParseBool(std::string_view name, std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE" || text == "1") return true;
  if (text == "false" || text == "False" || text == "FALSE" || text == "0") return false;
  return Fail(ErrorCode::kInvalidArgument, "setting " + std::string(name) + ": '" +
                                               std::string(text) + "' is not true or false");
}

using Setter = std::function<Status(ProducerConfig&, std::string_view name, std::string_view)>;

Setter Unsigned(uint64_t ProducerConfig::*field) {
  return [field](ProducerConfig& config, std::string_view name, std::string_view text) -> Status {
    auto value = ParseUnsigned(name, text);
    if (!value) return Fail(value.error());
    config.*field = *value;
    return Ok();
  };
}

Setter Boolean(bool ProducerConfig::*field) {
  return [field](ProducerConfig& config, std::string_view name, std::string_view text) -> Status {
    auto value = ParseBool(name, text);
    if (!value) return Fail(value.error());
    config.*field = *value;
    return Ok();
  };
}

Setter Text(std::string ProducerConfig::*field) {
  return [field](ProducerConfig& config, std::string_view, std::string_view text) -> Status {
    config.*field = std::string(text);
    return Ok();
  };
}

// KPL property names and this struct's field names, to the same setters.
const std::map<std::string, Setter, std::less<>>& Setters() {
  static const auto* setters = new std::map<std::string, Setter, std::less<>>{
      {"RecordMaxBufferedTime", Unsigned(&ProducerConfig::record_max_buffered_time_ms)},
      {"AggregationEnabled", Boolean(&ProducerConfig::aggregation_enabled)},
      {"AggregationMaxCount", Unsigned(&ProducerConfig::aggregation_max_count)},
      {"AggregationMaxSize", Unsigned(&ProducerConfig::aggregation_max_size)},
      {"CollectionMaxCount", Unsigned(&ProducerConfig::collection_max_count)},
      {"CollectionMaxSize", Unsigned(&ProducerConfig::collection_max_size)},
      {"MaxConnections", Unsigned(&ProducerConfig::max_connections)},
      {"ConnectTimeout", Unsigned(&ProducerConfig::connect_timeout_ms)},
      {"RequestTimeout", Unsigned(&ProducerConfig::request_timeout_ms)},
      {"RecordTtl", Unsigned(&ProducerConfig::record_ttl_ms)},
      {"RateLimit", Unsigned(&ProducerConfig::rate_limit)},
      {"FailIfThrottled", Boolean(&ProducerConfig::fail_if_throttled)},
      {"VerifyCertificate", Boolean(&ProducerConfig::verify_certificate)},
      {"Region", Text(&ProducerConfig::region)},
      {"KinesisEndpoint", Text(&ProducerConfig::endpoint)},
      {"endpoint", Text(&ProducerConfig::endpoint)},
      {"region", Text(&ProducerConfig::region)},
      {"profile", Text(&ProducerConfig::profile)},
      {"sign_requests", Boolean(&ProducerConfig::sign_requests)},
      {"verify_certificate", Boolean(&ProducerConfig::verify_certificate)},
      {"ca_file", Text(&ProducerConfig::ca_file)},
      {"record_max_buffered_time_ms", Unsigned(&ProducerConfig::record_max_buffered_time_ms)},
      {"aggregation_enabled", Boolean(&ProducerConfig::aggregation_enabled)},
      {"aggregation_max_count", Unsigned(&ProducerConfig::aggregation_max_count)},
      {"aggregation_max_size", Unsigned(&ProducerConfig::aggregation_max_size)},
      {"collection_max_count", Unsigned(&ProducerConfig::collection_max_count)},
      {"collection_max_size", Unsigned(&ProducerConfig::collection_max_size)},
      {"max_connections", Unsigned(&ProducerConfig::max_connections)},
      {"connect_timeout_ms", Unsigned(&ProducerConfig::connect_timeout_ms)},
      {"request_timeout_ms", Unsigned(&ProducerConfig::request_timeout_ms)},
      {"record_ttl_ms", Unsigned(&ProducerConfig::record_ttl_ms)},
      {"rate_limit", Unsigned(&ProducerConfig::rate_limit)},
      {"fail_if_throttled", Boolean(&ProducerConfig::fail_if_throttled)},
      {"max_outstanding_records", Unsigned(&ProducerConfig::max_outstanding_records)},
      {"max_outstanding_bytes", Unsigned(&ProducerConfig::max_outstanding_bytes)},
      {"retry_base_delay_ms", Unsigned(&ProducerConfig::retry_base_delay_ms)},
      {"retry_max_delay_ms", Unsigned(&ProducerConfig::retry_max_delay_ms)},
      {"max_record_bytes", Unsigned(&ProducerConfig::max_record_bytes)},
      {"buffer_full_policy",
       [](ProducerConfig& config, std::string_view name, std::string_view text) -> Status {
         if (text == "block") {
           config.buffer_full_policy = BufferFullPolicy::kBlock;
         } else if (text == "fail") {
           config.buffer_full_policy = BufferFullPolicy::kFail;
         } else {
           return Fail(ErrorCode::kInvalidArgument,
                       "setting " + std::string(name) + ": must be block or fail");
         }
         return Ok();
       }},
      {"io_threads",
       [](ProducerConfig& config, std::string_view name, std::string_view text) -> Status {
         auto value = ParseUnsigned(name, text);
         if (!value) return Fail(value.error());
         config.io_threads = static_cast<uint32_t>(std::min<uint64_t>(*value, UINT32_MAX));
         return Ok();
       }},
      {"compression",
       [](ProducerConfig& config, std::string_view name, std::string_view text) -> Status {
         if (text == "none") {
           config.compression = Compression::kNone;
         } else if (text == "zstd") {
           config.compression = Compression::kZstd;
         } else if (text == "snappy") {
           config.compression = Compression::kSnappy;
         } else {
           return Fail(ErrorCode::kInvalidArgument,
                       "setting " + std::string(name) + ": must be none, zstd or snappy");
         }
         return Ok();
       }},
      {"compression_level",
       [](ProducerConfig& config, std::string_view name, std::string_view text) -> Status {
         int value = 0;
         auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
         if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
           return Fail(ErrorCode::kInvalidArgument,
                       "setting " + std::string(name) + ": not an integer");
         }
         config.compression_level = value;
         return Ok();
       }},
  };
  return *setters;
}

Status CheckRange(std::string_view name, uint64_t value, uint64_t min, uint64_t max) {
  if (value >= min && value <= max) return Ok();
  return Fail(ErrorCode::kInvalidArgument, std::string(name) + " must be between " +
                                               std::to_string(min) + " and " + std::to_string(max) +
                                               ", not " + std::to_string(value));
}

}  // namespace

Status ProducerConfig::Set(std::string_view name, std::string_view value) {
  const auto& setters = Setters();
  auto it = setters.find(name);
  if (it == setters.end()) {
    return Fail(ErrorCode::kInvalidArgument,
                "unknown producer setting '" + std::string(name) + "'");
  }
  return it->second(*this, name, value);
}

Status ProducerConfig::Validate() const {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  // The KPL's ranges (its default_config.properties), then ours.
  const struct {
    std::string_view name;
    uint64_t value, min, max;
  } checks[] = {
      {"AggregationMaxCount", aggregation_max_count, 1, 4294967295},
      {"AggregationMaxSize", aggregation_max_size, 64, 1048576},
      {"CollectionMaxCount", collection_max_count, 1, 500},
      {"CollectionMaxSize", collection_max_size, 52224, kMax},
      {"ConnectTimeout", connect_timeout_ms, 100, 300000},
      {"MaxConnections", max_connections, 1, 256},
      {"RateLimit", rate_limit, 1, kMax},
      {"RecordMaxBufferedTime", record_max_buffered_time_ms, 0, kMax},
      {"RecordTtl", record_ttl_ms, 100, kMax},
      {"RequestTimeout", request_timeout_ms, 100, 600000},
      {"max_outstanding_records", max_outstanding_records, 1, kMax},
      {"max_outstanding_bytes", max_outstanding_bytes, 1, kMax},
      {"retry_base_delay_ms", retry_base_delay_ms, 1, 3600000},
      {"retry_max_delay_ms", retry_max_delay_ms, 1, 3600000},
      {"max_record_bytes", max_record_bytes, 1, 10 << 20},
      {"io_threads", io_threads, 1, 64},
  };
  for (const auto& check : checks) {
    if (Status status = CheckRange(check.name, check.value, check.min, check.max); !status) {
      return status;
    }
  }
  if (!endpoint.empty()) {
    if (auto parsed = Endpoint::Parse(endpoint); !parsed) return Fail(parsed.error());
  }
  return Ok();
}

}  // namespace sluice::client
