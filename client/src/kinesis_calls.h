#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/hash_key.h"
#include "common/result.h"
#include "http_client.h"

// The two Kinesis operations the producer calls, Kinesis_20131202.PutRecords and
// ListShards, as AWS JSON 1.1 bodies; and how their failures are classified.
namespace sluice::client {

inline constexpr std::string_view kPutRecordsTarget = "Kinesis_20131202.PutRecords";
inline constexpr std::string_view kListShardsTarget = "Kinesis_20131202.ListShards";

// Writes a PutRecords body record by record, base64 straight into the body.
class PutRecordsBodyWriter {
 public:
  PutRecordsBodyWriter(std::string_view stream, size_t data_bytes_hint);
  // `explicit_hash_key` empty: none.
  void Add(std::string_view data, std::string_view partition_key,
           std::string_view explicit_hash_key);
  std::string Finish();

 private:
  std::string body_;
  bool first_ = true;
};

// One entry of a PutRecords response.
struct RecordOutcome {
  std::string shard_id;         // success
  std::string sequence_number;  // success
  std::string error_code;       // failure (ProvisionedThroughputExceededException, ...)
  std::string error_message;

  bool ok() const { return error_code.empty(); }
};

// The entries of a 200 response, one per record sent, in order. kInternal when the body
// is not the expected shape or the count differs from `sent`.
[[nodiscard]] Result<std::vector<RecordOutcome>> ParsePutRecordsResponse(std::string_view body,
                                                                         size_t sent);

// An AWS JSON error response: `type` from __type (without any "namespace#" prefix) or the
// x-amzn-ErrorType header; "HttpError" when neither says.
struct ServiceError {
  std::string type;
  std::string message;
};
ServiceError ParseServiceError(const HttpResponse& response);

// Whether an error is worth retrying: throttling, internal and transient service errors,
// 5xx, timeouts, lost connections, a record on the wrong shard. Validation, missing
// streams and credential problems are not: retrying cannot change their outcome.
bool IsRetryable(std::string_view error_code, unsigned http_status);
inline constexpr std::string_view kThrottled = "ProvisionedThroughputExceededException";

// ListShards: the first page names the stream; later pages carry only NextToken.
std::string ListShardsBody(std::string_view stream, const std::optional<std::string>& next_token);

struct ListedShard {
  std::string shard_id;
  HashKey start = 0;
  HashKey end = 0;
  bool open = true;  // no EndingSequenceNumber
};
struct ListShardsPage {
  std::vector<ListedShard> shards;
  std::optional<std::string> next_token;
};
[[nodiscard]] Result<ListShardsPage> ParseListShardsResponse(std::string_view body);

}  // namespace sluice::client
