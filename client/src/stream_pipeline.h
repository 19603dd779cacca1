#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "aggregation/aggregator.h"
#include "kinesis_calls.h"
#include "producer_metrics.h"
#include "put_state.h"
#include "shard_map.h"
#include "token_bucket.h"

namespace sluice::client {

struct ShardState;

// One record of a PutRecords request: a user record alone, or an aggregate of user records
// predicted to go to one shard.
struct KinesisRecord {
  std::vector<RecordRef> items;
  bool aggregated = false;
  // Aggregated only (a lone record's data is its item's); without its MD5 trailer until
  // FlushCollection seals the batch's aggregates together.
  std::string data;
  std::string partition_key;      // aggregated only
  std::string explicit_hash_key;  // aggregated: the first item's hash key; else the item's
  ShardState* shard = nullptr;    // predicted shard; null when the map did not say
  Clock::time_point deadline;     // leaves the collection by then
  Clock::time_point earliest_expiration = Clock::time_point::max();  // of its items
  // Arrival of the items on their first way out (for the buffering-time metric), kept here
  // so that sending does not touch every item again.
  std::vector<Clock::time_point> first_arrivals;
  size_t size = 0;  // data + partition key, as Kinesis counts it

  std::string_view Data() const { return aggregated ? data : items.front()->data(); }
  std::string_view PartitionKey() const {
    return aggregated ? std::string_view(partition_key) : items.front()->partition_key();
  }
  std::string_view ExplicitHashKey() const {
    return aggregated ? std::string_view(explicit_hash_key) : items.front()->explicit_hash_key();
  }
};
using KinesisRecordPtr = std::unique_ptr<KinesisRecord>;

class StreamPipeline;

// One PutRecords request: owned by the pipeline until sent, then by the request in flight
// (which only reads it), then back on the pipeline with its outcome.
struct PutRecordsBatch {
  StreamPipeline* pipeline = nullptr;
  std::string stream;
  std::vector<KinesisRecordPtr> records;
  size_t bytes = 0;

  std::string Body() const;
};

// What became of a request: per-record outcomes, or one error for all of its records.
struct BatchOutcome {
  WallClock::time_point started;
  WallClock::time_point finished;
  Clock::duration latency{};
  std::optional<std::vector<RecordOutcome>> records;  // set: HTTP 200 and parsed
  std::string error_code;                             // otherwise
  std::string error_message;
  unsigned http_status = 0;  // 0: no response
};

// What the pipeline needs from the producer around it. All calls happen on the pipeline's
// strand.
class PipelineHost {
 public:
  virtual ~PipelineHost() = default;
  // Queues a request for a connection.
  virtual void Send(std::unique_ptr<PutRecordsBatch> batch) = 0;
  // Starts a ListShards of `pipeline`'s stream; the answer comes to OnShardsListed().
  virtual void ListShards(StreamPipeline& pipeline) = 0;
  // Asks for Poll() at or soon after `when`.
  virtual void WakeAt(Clock::time_point when) = 0;
  // User records about to complete (succeeded or failed): frees their buffer room, so that
  // their callbacks find it free.
  virtual void Released(uint64_t records, uint64_t bytes) = 0;
  // Those records' futures have completed (what FlushSync() waits for).
  virtual void Completed(uint64_t records) = 0;
};

// Per-shard pipeline state: the aggregate being filled, the rate limiter and what waits
// for it, and the shard's counters.
struct ShardState {
  ShardState(std::string id, const ProducerConfig& config, Clock::time_point now);

  std::string shard_id;
  bool open = true;
  Aggregator aggregator;
  std::vector<RecordRef> aggregating;  // the user records inside `aggregator`
  Clock::time_point aggregate_deadline = Clock::time_point::max();
  Clock::time_point aggregate_expiration = Clock::time_point::max();
  std::vector<Clock::time_point> aggregate_arrivals;
  const std::string* interned_id = nullptr;  // shard_id, interned for results
  TokenBucket limiter;
  std::deque<KinesisRecordPtr> limited;  // waiting for the limiter, oldest first
  size_t bytes_collected = 0;            // in the stream's collection now
  PutCounters counters;
};

// The KPL's pipeline for one stream, confined to the producer's strand: shard prediction
// (ListShards map) → per-shard aggregation → per-shard rate limit → collection into
// PutRecords requests → retries with backoff until each record's TTL.
class StreamPipeline {
 public:
  StreamPipeline(std::string stream, const ProducerConfig& config, PipelineHost& host);
  StreamPipeline(const StreamPipeline&) = delete;
  StreamPipeline& operator=(const StreamPipeline&) = delete;

  const std::string& stream() const { return stream_; }

  // New user records from Put().
  void AddNew(std::vector<RecordRef>& records);
  // Sends everything buffered (aggregates, collection) now; limiter and retry waits stay.
  // Before the first shard map, that happens as soon as the map arrives (or the records'
  // deadlines pass).
  void Flush();
  // Runs what is due; returns when it next needs a Poll().
  Clock::time_point Poll(Clock::time_point now);
  void OnPutRecordsDone(std::unique_ptr<PutRecordsBatch> batch, BatchOutcome outcome);
  void OnShardsListed(Result<std::vector<ListedShard>> listing);
  // Fails every record the pipeline holds (shutdown), or those of a request it sent.
  void FailAll(std::string_view code, std::string_view message);
  void FailBatch(PutRecordsBatch& batch, std::string_view code, std::string_view message);

  StreamMetrics Snapshot() const;

 private:
  enum class MapState { kNone, kLoading, kReady, kFailed };
  struct Retry {
    Clock::time_point due;
    RecordRef record;
    bool operator>(const Retry& other) const { return due > other.due; }
  };

  // When `record` fails for good: its arrival plus RecordTtl.
  Clock::time_point ExpirationOf(const detail::PutState& record) const {
    return record.arrival + record_ttl_;
  }
  void Route(RecordRef record, Clock::time_point now);
  void AddToAggregate(ShardState& shard, RecordRef record, Clock::time_point now);
  void FinishAggregate(ShardState& shard, Clock::time_point now);
  void SendAlone(RecordRef record, ShardState* shard, Clock::time_point now);
  void ToLimiter(ShardState& shard, KinesisRecordPtr record, Clock::time_point now);
  void DrainLimiter(ShardState& shard, Clock::time_point now);
  void ToCollection(KinesisRecordPtr record, Clock::time_point now);
  void FlushCollection(Clock::time_point now);
  // Fails the expired items of `record` and routes the others again; false when nothing
  // had expired (the record is untouched).
  bool SplitExpired(KinesisRecordPtr& record, Clock::time_point now);

  void HandleSuccess(KinesisRecord& record, const RecordOutcome& outcome, const AttemptLog& attempt,
                     Clock::time_point now);
  void HandleFailure(KinesisRecord& record, const AttemptLog& attempt, bool retryable,
                     Clock::time_point now);
  void RetryOrFail(RecordRef record, bool retryable, Clock::time_point now);
  // Completion; each is a no-op for a record already completed.
  void Succeed(RecordRef& record, ShardState& shard);
  void FailRecord(RecordRef& record);
  void Expire(RecordRef& record, Clock::time_point now);

  void RequestShardMap(Clock::time_point now);
  void InstallShardMap(ShardMap map, Clock::time_point now);
  ShardState& ShardNamed(std::string_view shard_id, Clock::time_point now);
  PutCounters& CountersOf(ShardState* shard) { return shard ? shard->counters : unknown_shard_; }
  void ReleaseCompleted();

  const std::string stream_;
  const ProducerConfig& config_;
  PipelineHost& host_;
  const Clock::duration max_buffered_time_;
  const Clock::duration record_ttl_;
  const Clock::duration collection_grace_;
  const size_t max_request_bytes_;
  const AggregationLimits aggregation_limits_;
  const size_t max_aggregate_records_;

  MapState map_state_ = MapState::kNone;
  bool map_requested_ = false;        // a ListShards is running
  bool map_refresh_wanted_ = false;   // start one when allowed
  Clock::time_point map_allowed_at_;  // no ListShards before (rate limit / backoff)
  Clock::duration map_backoff_{};
  ShardMap map_;
  std::vector<ShardState*> shard_of_index_;  // map_.shards()[i] → its state
  std::map<std::string, std::unique_ptr<ShardState>, std::less<>> shards_;  // every shard seen
  std::deque<RecordRef> awaiting_map_;  // arrived before the first map
  bool flush_when_mapped_ = false;      // Flush() came while the first map was loading

  std::vector<KinesisRecordPtr> collection_;
  size_t collection_bytes_ = 0;
  Clock::time_point collection_deadline_ = Clock::time_point::max();

  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries_;
  std::mt19937_64 random_{0x5eed};

  // Counters (see StreamMetrics).
  uint64_t received_ = 0;
  uint64_t completed_ = 0;
  uint64_t requests_ = 0;
  std::vector<uint64_t> records_by_retries_ = std::vector<uint64_t>(StreamMetrics::kRetryBuckets);
  Histogram buffering_time_;
  Histogram request_latency_;
  PutCounters unknown_shard_;
  // Completed since the last ReleaseCompleted(): their room is released first, then their
  // futures complete (and callbacks run, with the room already free).
  std::vector<RecordRef> completing_;
  uint64_t released_bytes_ = 0;
};

}  // namespace sluice::client
