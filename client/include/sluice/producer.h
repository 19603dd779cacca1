#pragma once

// The sluice producer library: the Kinesis Producer Library's job (buffering, aggregation,
// collection into PutRecords, shard-aware rate limiting, retries until a TTL) as a C++
// library that writes to sluice or to AWS Kinesis Data Streams over HTTP or HTTPS.
// docs/producer.md describes every setting and the behaviour in detail.
//
//   auto producer = sluice::client::Producer::Create(config);   // Result<unique_ptr<...>>
//   auto put = (*producer)->Put("trips", partition_key, data);  // Result<PutFuture>
//   put->then([](const sluice::client::PutResult& r) { ... });   // or put->get()
//   (*producer)->FlushSync();

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::client {

// AWS credentials. `session_token` is set for temporary credentials only.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// What Put() does when the buffer of outstanding records is full.
enum class BufferFullPolicy {
  kBlock,  // wait until completions free room (never on a producer I/O thread: there it fails)
  kFail,   // return kResourceExhausted at once
};

// Per-record compression (a sluice extension; the KPL does not compress). See
// DecompressRecord() for how consumers undo it.
enum class Compression { kNone, kZstd, kSnappy };

// Producer settings. Names follow the KPL's properties (RecordMaxBufferedTime →
// record_max_buffered_time_ms) with the KPL's defaults; Set() takes the KPL names.
struct ProducerConfig {
  // Where to write. "http://127.0.0.1:4567" for a local sluice, "https://host[:port]";
  // empty means https://kinesis.<region>.amazonaws.com.
  std::string endpoint;
  // Signing region; empty: AWS_REGION, AWS_DEFAULT_REGION, `region` of `profile` in the
  // shared config file (AWS_CONFIG_FILE or ~/.aws/config), else us-east-1.
  std::string region;
  // Explicit credentials; unset means AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
  // AWS_SESSION_TOKEN, then `profile` in the shared credentials file
  // (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials), then in the shared config file.
  std::optional<Credentials> credentials;
  std::string profile;             // empty: $AWS_PROFILE, else "default"
  bool sign_requests = true;       // false: unsigned requests (a sluice server running open)
  bool verify_certificate = true;  // HTTPS: verify the server's certificate and host name
  std::string ca_file;             // HTTPS: PEM trust anchors; empty = system CA store

  // KPL settings.
  uint64_t record_max_buffered_time_ms = 100;   // RecordMaxBufferedTime
  bool aggregation_enabled = true;              // AggregationEnabled
  uint64_t aggregation_max_count = 4294967295;  // AggregationMaxCount
  uint64_t aggregation_max_size = 51200;        // AggregationMaxSize (bytes)
  uint64_t collection_max_count = 500;          // CollectionMaxCount
  uint64_t collection_max_size = 5242880;       // CollectionMaxSize (bytes)
  uint64_t max_connections = 24;                // MaxConnections
  uint64_t connect_timeout_ms = 6000;           // ConnectTimeout
  uint64_t request_timeout_ms = 6000;           // RequestTimeout
  uint64_t record_ttl_ms = 30000;               // RecordTtl
  uint64_t rate_limit = 150;                    // RateLimit (% of a shard's limits)
  bool fail_if_throttled = false;               // FailIfThrottled

  // sluice additions.
  uint64_t max_outstanding_records = 1000000;  // accepted, not yet completed
  uint64_t max_outstanding_bytes = 256 << 20;  // their data + partition key bytes
  BufferFullPolicy buffer_full_policy = BufferFullPolicy::kBlock;
  uint64_t retry_base_delay_ms = 100;  // backoff: uniform(0, min(max, base * 2^(n-1)))
  uint64_t retry_max_delay_ms = 5000;
  uint64_t max_record_bytes = 1048576;  // data + partition key of one user record
  uint32_t io_threads = 1;              // threads running the network and the pipeline
  Compression compression = Compression::kNone;
  int compression_level = 0;  // 0: the algorithm's default (zstd 3); snappy has none

  // Sets one setting by its KPL property name ("RecordMaxBufferedTime", "RateLimit",
  // "AggregationEnabled", "KinesisEndpoint", ...) or by this struct's field name, from text
  // as a KPL .properties file holds it. Unknown names and bad values → kInvalidArgument.
  [[nodiscard]] Status Set(std::string_view name, std::string_view value);
  // Checks ranges (as the KPL validates them) and that the endpoint parses.
  [[nodiscard]] Status Validate() const;
};

// One try of one user record: a PutRecords call (or the decision to give up).
struct Attempt {
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
  // Empty on success. Otherwise the Kinesis error type (ProvisionedThroughputExceededException,
  // InternalFailure, ...) or one of the producer's own: "Timeout", "ConnectionError",
  // "HttpError", "BadResponse", "WrongShard", "Expired", "Shutdown" (docs/producer.md).
  std::string error_code;
  std::string error_message;

  bool succeeded() const { return error_code.empty(); }
};

// The outcome of one user record.
struct PutResult {
  bool succeeded = false;
  std::string shard_id;         // success: where it went
  std::string sequence_number;  // success: the (aggregated) Kinesis record's number
  // Set when the record travelled inside an aggregated record: its index there.
  std::optional<uint64_t> sub_sequence_number;
  std::vector<Attempt> attempts;  // every attempt, oldest first; the last one decides
};

namespace detail {
struct PutState;
}

// The pending result of one Put(). Copyable (copies share the result). Waiting calls
// block the calling thread; then() never does. Method names follow std::future. All but
// valid() require valid().
class PutFuture {
 public:
  PutFuture() = default;
  explicit PutFuture(detail::PutState* state);  // takes a reference already counted
  PutFuture(const PutFuture& other);
  PutFuture(PutFuture&& other) noexcept;
  PutFuture& operator=(PutFuture other) noexcept;
  ~PutFuture();

  bool valid() const { return state_ != nullptr; }
  bool ready() const;
  void wait() const;
  // True when the result is ready within `timeout`.
  bool wait_for(std::chrono::milliseconds timeout) const;
  // Waits, then returns the result (a copy; cheap to call once).
  PutResult get() const;
  // Waits, then returns only whether the record was put (no copy of the result).
  bool succeeded() const;
  // Calls `callback` once with the result: at once on this thread if ready, otherwise on a
  // producer I/O thread when the record completes. Callbacks run inline on the pipeline:
  // keep them short and never block in them (a blocking Put() there fails instead).
  // At most one callback per record; a second call replaces nothing and returns false.
  bool then(std::function<void(const PutResult&)> callback);

 private:
  detail::PutState* state_ = nullptr;
};

// What became of the records of a shard or of a whole stream.
struct PutCounters {
  uint64_t user_records_put = 0;
  uint64_t user_records_failed = 0;
  uint64_t user_record_bytes_put = 0;
  uint64_t kinesis_records_put = 0;
  uint64_t kinesis_record_bytes_put = 0;
  uint64_t retries = 0;  // failed attempts that were retried
  std::map<std::string, uint64_t> errors_by_code;

  PutCounters& operator+=(const PutCounters& other);
  bool empty() const;  // nothing counted yet
};

// Counters of one shard (or of the records whose shard was not known: shard_id "").
struct ShardMetrics : PutCounters {
  std::string shard_id;
};

// A cumulative histogram in milliseconds: counts[i] observations ≤ bounds_ms[i]; the last
// count (one more than bounds) is the total.
struct LatencyHistogram {
  std::vector<double> bounds_ms;
  std::vector<uint64_t> counts;
  double sum_ms = 0;
  uint64_t count = 0;
};

// A stream's counters (PutCounters: the sums of its shards') and the rest of its figures.
struct StreamMetrics : PutCounters {
  std::string stream;
  uint64_t user_records_received = 0;
  uint64_t user_records_pending = 0;  // received, not completed
  // Completed user records by how often they were retried: [n] n times; the last entry
  // counts kRetryBuckets - 1 times or more.
  static constexpr size_t kRetryBuckets = 6;
  std::vector<uint64_t> records_by_retries = std::vector<uint64_t>(kRetryBuckets);
  uint64_t put_records_requests = 0;
  LatencyHistogram buffering_time;   // Put() to the record's first request
  LatencyHistogram request_latency;  // PutRecords round trips
  std::vector<ShardMetrics> shards;
};

struct MetricsSnapshot {
  std::vector<StreamMetrics> streams;
  uint64_t outstanding_records = 0;  // over all streams, including not yet routed
  uint64_t outstanding_bytes = 0;
};

// Prometheus text exposition (version 0.0.4) of a snapshot; metric names start with
// `sluice_producer_`, labels `stream` and `shard`.
std::string RenderPrometheus(const MetricsSnapshot& snapshot);

// The producer. Thread-safe: any thread may Put() and Flush() concurrently.
class Producer {
 public:
  // Resolves credentials, parses the endpoint and starts the I/O threads. No network
  // I/O happens until the first Put() of a stream.
  [[nodiscard]] static Result<std::unique_ptr<Producer>> Create(ProducerConfig config);
  // Stops at once, as the KPL's destroy() does: records not yet completed fail with
  // "Shutdown". Call FlushSync() first to deliver what is buffered.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one user record and returns without I/O; the bytes are copied.
  // kInvalidArgument: bad stream name, partition key (1-256 characters), explicit hash
  // key (decimal 0 … 2^128-1) or size (data + key over max_record_bytes);
  // kResourceExhausted: the buffer is full and the policy is kFail (or the caller is a
  // producer I/O thread, i.e. a callback);
  // kFailedPrecondition: the producer is shutting down.
  [[nodiscard]] Result<PutFuture> Put(std::string_view stream, std::string_view partition_key,
                                      std::string_view data,
                                      std::optional<std::string_view> explicit_hash_key = {});
  // Sends everything buffered now, without waiting for deadlines. Does not block.
  void Flush();
  // Flush(), then blocks until every record accepted so far (and any accepted meanwhile)
  // has completed: succeeded or failed. Returns false if `timeout` passed first.
  bool FlushSync(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

  uint64_t OutstandingRecords() const;
  // A consistent copy of the metrics (taken on the pipeline; blocks briefly).
  MetricsSnapshot Metrics() const;

  class Core;

 private:
  explicit Producer(std::unique_ptr<Core> core);

  std::unique_ptr<Core> core_;
};

// Compression marking (docs/producer.md, "Compression"): a compressed record's data is
// kCompressedMagic, one algorithm byte (1 zstd, 2 snappy), then the compressed bytes.
inline constexpr std::string_view kCompressedMagic{"\xF5\x5C\x1C\xE0", 4};

bool IsCompressedRecord(std::string_view data);
// Compresses `data` and marks it. kInvalidArgument for Compression::kNone.
[[nodiscard]] Result<std::string> CompressRecord(std::string_view data, Compression compression,
                                                 int level = 0);
// The original bytes of a marked record; an unmarked record comes back unchanged.
// kDataLoss when the record is marked but does not decompress.
[[nodiscard]] Result<std::string> DecompressRecord(std::string_view data);

}  // namespace sluice::client
