#include "stream_pipeline.h"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

namespace sluice::client {

namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxRequestBytes = size_t{10} << 20;  // PutRecords: 10 MiB per request
// As the KPL's collector: once one shard has this much in the collection, send it, so
// that no shard's traffic turns bursty.
constexpr size_t kShardFlushBytes = size_t{256} << 10;
constexpr Clock::duration kLimiterPoll = milliseconds(25);
constexpr Clock::duration kMinMapInterval = milliseconds(1000);
constexpr Clock::duration kMaxMapBackoff = milliseconds(30000);
constexpr double kShardRecordsPerSecond = 1000;
constexpr double kShardBytesPerSecond = 1024 * 1024;

UserRecordView ViewOf(const detail::PutState& record) {
  UserRecordView view{record.partition_key(), std::nullopt, record.data()};
  if (record.explicit_hash_key_size > 0) view.explicit_hash_key = record.explicit_hash_key();
  return view;
}

AttemptLog FailedAttempt(WallClock::time_point started, WallClock::time_point finished,
                         std::string error_code, std::string message) {
  return AttemptLog{started, finished,
                    std::make_shared<const AttemptError>(
                        AttemptError{std::move(error_code), std::move(message)})};
}

// Records are written by Put() on another core and come back cold after a request: their
// loops fetch a few records ahead.
constexpr size_t kPrefetchAhead = 16;

// Prefetches the record's first cache lines and its bytes (they follow the struct).
void Prefetch(const std::vector<RecordRef>& records, size_t i) {
  if (i + kPrefetchAhead >= records.size()) return;
  const auto* state = reinterpret_cast<const char*>(records[i + kPrefetchAhead].get());
  __builtin_prefetch(state, 1);
  __builtin_prefetch(state + 64, 1);
  __builtin_prefetch(state + 128, 1);
  __builtin_prefetch(state + sizeof(detail::PutState), 0);
}

// Records whose partition keys are hashed together: Md5Many's lanes.
constexpr size_t kHashGroup = 16;

// Sets the hash key of each of up to kHashGroup records that came without an explicit one:
// the MD5s of sixteen partition keys side by side (HashKeysOf) cost about what one costs.
void AssignHashKeys(std::span<const RecordRef> records) {
  std::array<std::string_view, kHashGroup> keys;
  std::array<detail::PutState*, kHashGroup> owners;
  std::array<HashKey, kHashGroup> hash_keys;
  size_t count = 0;
  for (const RecordRef& record : records) {
    if (record->explicit_hash_key_size != 0) continue;
    keys[count] = record->partition_key();
    owners[count++] = record.get();
  }
  HashKeysOf(std::span(keys).first(count), std::span(hash_keys).first(count));
  for (size_t i = 0; i < count; ++i) owners[i]->hash_key = hash_keys[i];
}

}  // namespace

std::string PutRecordsBatch::Body() const {
  PutRecordsBodyWriter writer(stream, bytes);
  for (const KinesisRecordPtr& record : records) {
    writer.Add(record->Data(), record->PartitionKey(), record->ExplicitHashKey());
  }
  return writer.Finish();
}

ShardState::ShardState(std::string id, const ProducerConfig& config, Clock::time_point now)
    : shard_id(std::move(id)),
      limiter(kShardRecordsPerSecond * static_cast<double>(config.rate_limit) / 100.0,
              kShardBytesPerSecond * static_cast<double>(config.rate_limit) / 100.0,
              static_cast<double>(config.max_record_bytes), now) {}

StreamPipeline::StreamPipeline(std::string stream, const ProducerConfig& config, PipelineHost& host)
    : stream_(std::move(stream)),
      config_(config),
      host_(host),
      max_buffered_time_(milliseconds(config.record_max_buffered_time_ms)),
      record_ttl_(milliseconds(config.record_ttl_ms)),
      // As the KPL: an aggregate entering the collection may wait a little for others.
      collection_grace_(
          config.aggregation_enabled
              ? std::min<Clock::duration>(milliseconds(50),
                                          milliseconds(config.record_max_buffered_time_ms / 5))
              : Clock::duration::zero()),
      max_request_bytes_(std::min<size_t>(config.collection_max_size, kMaxRequestBytes)),
      aggregation_limits_{std::min<size_t>(config.aggregation_max_size, config.max_record_bytes),
                          static_cast<size_t>(config.aggregation_max_count)},
      max_aggregate_records_(static_cast<size_t>(config.aggregation_max_count)) {}

void StreamPipeline::AddNew(std::vector<RecordRef>& records) {
  const Clock::time_point now = Clock::now();
  received_ += records.size();
  // A group at a time, hashed then routed while its records are in cache (a drain can hold
  // tens of thousands); Prefetch brings in the next group meanwhile.
  for (size_t first = 0; first < records.size(); first += kHashGroup) {
    const size_t end = std::min(first + kHashGroup, records.size());
    AssignHashKeys(std::span(records).subspan(first, end - first));
    for (size_t i = first; i < end; ++i) {
      Prefetch(records, i);
      RecordRef& record = records[i];
      record->deadline = record->arrival + max_buffered_time_;
      Route(std::move(record), now);
    }
  }
  records.clear();
  ReleaseCompleted();
}

void StreamPipeline::Route(RecordRef record, Clock::time_point now) {
  switch (map_state_) {
    case MapState::kNone:
    case MapState::kLoading:
      host_.WakeAt(record->deadline);
      awaiting_map_.push_back(std::move(record));
      if (map_state_ == MapState::kNone) RequestShardMap(now);
      return;
    case MapState::kFailed:
      SendAlone(std::move(record), nullptr, now);
      return;
    case MapState::kReady:
      break;
  }
  const std::optional<size_t> index = map_.Lookup(record->hash_key);
  if (!index) {
    SendAlone(std::move(record), nullptr, now);
    return;
  }
  ShardState& shard = *shard_of_index_[*index];
  if (!config_.aggregation_enabled) {
    SendAlone(std::move(record), &shard, now);
    return;
  }
  AddToAggregate(shard, std::move(record), now);
}

void StreamPipeline::AddToAggregate(ShardState& shard, RecordRef record, Clock::time_point now) {
  const UserRecordView view = ViewOf(*record);
  // What a record can add to an aggregate, at most: its keys and data with their tags and
  // lengths (5-byte varints are plenty). Below that the exact Fits() need not be asked.
  const size_t most_added = view.partition_key.size() + view.data.size() +
                            record->explicit_hash_key_size + 32 +
                            (shard.aggregator.empty() ? view.partition_key.size() : 0);
  const bool surely_fits =
      shard.aggregator.kinesis_size() + most_added <= aggregation_limits_.max_kinesis_bytes &&
      shard.aggregator.record_count() < max_aggregate_records_;
  if (!surely_fits && !shard.aggregator.Fits(view, aggregation_limits_)) {
    // Too large for any aggregate: it goes alone.
    if (shard.aggregator.empty()) {
      SendAlone(std::move(record), &shard, now);
      return;
    }
    FinishAggregate(shard, now);
    if (!shard.aggregator.Fits(view, aggregation_limits_)) {
      SendAlone(std::move(record), &shard, now);
      return;
    }
  }
  record->shard = &shard;
  shard.aggregator.Add(view);
  if (shard.aggregating.empty()) {
    shard.aggregate_deadline = record->deadline;
    host_.WakeAt(record->deadline);
  } else {
    shard.aggregate_deadline = std::min(shard.aggregate_deadline, record->deadline);
  }
  shard.aggregate_expiration = std::min(shard.aggregate_expiration, ExpirationOf(*record));
  if (!record->sent) {
    record->sent = true;
    shard.aggregate_arrivals.push_back(record->arrival);
  }
  shard.aggregating.push_back(std::move(record));
}

void StreamPipeline::FinishAggregate(ShardState& shard, Clock::time_point now) {
  if (shard.aggregating.empty()) return;
  auto record = std::make_unique<KinesisRecord>();
  record->shard = &shard;
  record->deadline = shard.aggregate_deadline;
  record->earliest_expiration = shard.aggregate_expiration;
  record->items.swap(shard.aggregating);
  record->first_arrivals.swap(shard.aggregate_arrivals);
  shard.aggregating.reserve(record->items.size());
  shard.aggregate_arrivals.reserve(record->first_arrivals.size());
  shard.aggregate_deadline = Clock::time_point::max();
  shard.aggregate_expiration = Clock::time_point::max();
  sluice::client::Aggregate aggregate = shard.aggregator.FinishUnsealed();
  if (record->items.size() == 1) {
    // One record is sent as itself, as the KPL does.
    record->size = record->items.front()->size();
  } else {
    // As the KPL: partition key "a" (each user record keeps its own inside) and the first
    // record's hash key as explicit hash key, which lies in the predicted shard's range.
    record->aggregated = true;
    record->data = std::move(aggregate.data);
    record->partition_key = "a";
    record->explicit_hash_key = FormatHashKey(record->items.front()->hash_key);
    record->size = record->data.size() + kAggregateDigestBytes + record->partition_key.size();
  }
  ToLimiter(shard, std::move(record), now);
}

void StreamPipeline::SendAlone(RecordRef record, ShardState* shard, Clock::time_point now) {
  auto kinesis_record = std::make_unique<KinesisRecord>();
  record->shard = shard;
  kinesis_record->shard = shard;
  kinesis_record->deadline = record->deadline;
  kinesis_record->earliest_expiration = ExpirationOf(*record);
  kinesis_record->size = record->size();
  if (!record->sent) {
    record->sent = true;
    kinesis_record->first_arrivals.push_back(record->arrival);
  }
  kinesis_record->items.push_back(std::move(record));
  if (shard != nullptr) {
    ToLimiter(*shard, std::move(kinesis_record), now);
  } else {
    ToCollection(std::move(kinesis_record), now);
  }
}

void StreamPipeline::ToLimiter(ShardState& shard, KinesisRecordPtr record, Clock::time_point now) {
  if (shard.limited.empty() && shard.limiter.TryTake(static_cast<double>(record->size), now)) {
    ToCollection(std::move(record), now);
    return;
  }
  shard.limited.push_back(std::move(record));
  host_.WakeAt(now + kLimiterPoll);
}

void StreamPipeline::DrainLimiter(ShardState& shard, Clock::time_point now) {
  while (!shard.limited.empty()) {
    KinesisRecordPtr record = std::move(shard.limited.front());
    shard.limited.pop_front();
    if (SplitExpired(record, now)) continue;
    if (!shard.limiter.TryTake(static_cast<double>(record->size), now)) {
      shard.limited.push_front(std::move(record));
      host_.WakeAt(now + kLimiterPoll);
      return;
    }
    ToCollection(std::move(record), now);
  }
}

void StreamPipeline::ToCollection(KinesisRecordPtr record, Clock::time_point now) {
  if (collection_grace_ > Clock::duration::zero()) {
    record->deadline = std::max(record->deadline, now + collection_grace_);
  }
  if (!collection_.empty() && (collection_.size() >= config_.collection_max_count ||
                               collection_bytes_ + record->size > max_request_bytes_)) {
    FlushCollection(now);
  }
  collection_bytes_ += record->size;
  bool shard_full = false;
  if (record->shard != nullptr) {
    record->shard->bytes_collected += record->size;
    shard_full = record->shard->bytes_collected >= kShardFlushBytes;
  }
  collection_deadline_ = std::min(collection_deadline_, record->deadline);
  collection_.push_back(std::move(record));
  if (shard_full || collection_.size() >= config_.collection_max_count) {
    FlushCollection(now);
  } else {
    host_.WakeAt(collection_deadline_);
  }
}

void StreamPipeline::FlushCollection(Clock::time_point now) {
  if (collection_.empty()) return;
  std::vector<KinesisRecordPtr> records;
  records.swap(collection_);
  collection_.reserve(records.size());
  collection_bytes_ = 0;
  collection_deadline_ = Clock::time_point::max();
  auto batch = std::make_unique<PutRecordsBatch>();
  batch->pipeline = this;
  batch->stream = stream_;
  batch->records.reserve(records.size());
  std::vector<std::string*> unsealed;
  for (KinesisRecordPtr& record : records) {
    if (record->shard != nullptr) record->shard->bytes_collected -= record->size;
    if (SplitExpired(record, now)) continue;
    for (Clock::time_point arrival : record->first_arrivals) buffering_time_.Observe(now - arrival);
    record->first_arrivals = {};
    batch->bytes += record->size;
    if (record->aggregated) unsealed.push_back(&record->data);
    batch->records.push_back(std::move(record));
  }
  SealAggregates(unsealed);
  if (!batch->records.empty()) host_.Send(std::move(batch));
}

bool StreamPipeline::SplitExpired(KinesisRecordPtr& record, Clock::time_point now) {
  if (record->earliest_expiration > now) return false;
  std::vector<RecordRef> items = std::move(record->items);
  record.reset();
  for (RecordRef& item : items) {
    if (ExpirationOf(*item) <= now) {
      Expire(item, now);
    } else {
      Route(std::move(item), now);
    }
  }
  return true;
}

void StreamPipeline::OnPutRecordsDone(std::unique_ptr<PutRecordsBatch> batch,
                                      BatchOutcome outcome) {
  const Clock::time_point now = Clock::now();
  ++requests_;
  request_latency_.Observe(outcome.latency);
  if (outcome.records) {
    const AttemptLog success{outcome.started, outcome.finished, nullptr};
    for (size_t i = 0; i < batch->records.size(); ++i) {
      const RecordOutcome& result = (*outcome.records)[i];
      KinesisRecord& record = *batch->records[i];
      if (result.ok()) {
        HandleSuccess(record, result, success, now);
      } else {
        HandleFailure(record,
                      FailedAttempt(outcome.started, outcome.finished, result.error_code,
                                    result.error_message),
                      IsRetryable(result.error_code, 200), now);
      }
      // Complete the record's items while they are in cache.
      ReleaseCompleted();
    }
  } else {
    const bool retryable = IsRetryable(outcome.error_code, outcome.http_status);
    const AttemptLog attempt =
        FailedAttempt(outcome.started, outcome.finished, std::move(outcome.error_code),
                      std::move(outcome.error_message));
    for (KinesisRecordPtr& record : batch->records) {
      HandleFailure(*record, attempt, retryable, now);
      ReleaseCompleted();
    }
  }
}

void StreamPipeline::HandleSuccess(KinesisRecord& record, const RecordOutcome& outcome,
                                   const AttemptLog& attempt, Clock::time_point now) {
  ShardState& actual = ShardNamed(outcome.shard_id, now);
  ++actual.counters.kinesis_records_put;
  actual.counters.kinesis_record_bytes_put += record.Data().size();
  const bool wrong_shard = record.shard != nullptr && record.shard != &actual;
  const ShardRange* range = nullptr;
  std::optional<AttemptLog> wrong_attempt;
  if (wrong_shard) {
    // The map is stale: a reshard happened. A lone record is where Kinesis put it, which
    // is right by definition; user records of an aggregate whose keys the actual shard
    // does not own are sent again, as the KPL does.
    RequestShardMap(now);
    range = map_.Find(outcome.shard_id);
  }
  for (size_t i = 0; i < record.items.size(); ++i) {
    Prefetch(record.items, i);
    RecordRef& item = record.items[i];
    if (wrong_shard && record.aggregated &&
        (range == nullptr || !range->Contains(item->hash_key))) {
      if (!wrong_attempt) {
        wrong_attempt = FailedAttempt(attempt.started, attempt.finished, "WrongShard",
                                      "aggregated record went to " + outcome.shard_id +
                                          ", not the predicted " + record.shard->shard_id);
        ++record.shard->counters.errors_by_code["WrongShard"];
      }
      item->AddAttempt(*wrong_attempt);
      RetryOrFail(std::move(item), true, now);
      continue;
    }
    if (item->Observed()) {
      item->AddAttempt(attempt);
      item->SetLanding(actual.interned_id, outcome.sequence_number);
      if (record.aggregated) item->sub_sequence_number = static_cast<uint32_t>(i);
    } else if (item->tries < UINT8_MAX) {
      ++item->tries;  // nobody can read the result: only the metrics need the attempt
    }
    Succeed(item, actual);
  }
}

void StreamPipeline::HandleFailure(KinesisRecord& record, const AttemptLog& attempt, bool retryable,
                                   Clock::time_point now) {
  ++CountersOf(record.shard).errors_by_code[attempt.error->code];
  if (config_.fail_if_throttled && attempt.error->code == kThrottled) retryable = false;
  for (size_t i = 0; i < record.items.size(); ++i) {
    Prefetch(record.items, i);
    RecordRef& item = record.items[i];
    item->AddAttempt(attempt);
    RetryOrFail(std::move(item), retryable, now);
  }
}

void StreamPipeline::RetryOrFail(RecordRef record, bool retryable, Clock::time_point now) {
  if (!retryable) {
    FailRecord(record);
    return;
  }
  // Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(n-1))].
  const size_t failures = std::min<size_t>(record->attempt_count(), 31);
  const uint64_t ceiling =
      std::min<uint64_t>(config_.retry_max_delay_ms, config_.retry_base_delay_ms << (failures - 1));
  std::uniform_int_distribution<uint64_t> jitter(0, ceiling);
  const Clock::time_point due =
      std::min(now + milliseconds(jitter(random_)), ExpirationOf(*record));
  ++CountersOf(record->shard).retries;
  host_.WakeAt(due);
  retries_.push(Retry{due, std::move(record)});
}

void StreamPipeline::Succeed(RecordRef& record, ShardState& shard) {
  if (record->completed) return;
  record->completed = true;
  record->succeeded = true;
  ++shard.counters.user_records_put;
  shard.counters.user_record_bytes_put += record->data_size;
  ++completed_;
  released_bytes_ += record->size();
  completing_.push_back(std::move(record));
}

void StreamPipeline::FailRecord(RecordRef& record) {
  if (record->completed) return;
  record->completed = true;
  record->succeeded = false;
  ++CountersOf(record->shard).user_records_failed;
  ++completed_;
  released_bytes_ += record->size();
  completing_.push_back(std::move(record));
}

void StreamPipeline::Expire(RecordRef& record, Clock::time_point now) {
  (void)now;
  const WallClock::time_point wall = WallClock::now();
  record->AddAttempt(FailedAttempt(wall, wall, "Expired",
                                   "record not put within its TTL of " +
                                       std::to_string(config_.record_ttl_ms) + " ms (" +
                                       std::to_string(record->attempt_count()) + " attempt(s))"));
  ++CountersOf(record->shard).errors_by_code["Expired"];
  FailRecord(record);
}

void StreamPipeline::Flush() {
  const Clock::time_point now = Clock::now();
  if (map_state_ == MapState::kNone || map_state_ == MapState::kLoading) {
    flush_when_mapped_ = true;
  } else {
    while (!awaiting_map_.empty()) {
      RecordRef record = std::move(awaiting_map_.front());
      awaiting_map_.pop_front();
      SendAlone(std::move(record), nullptr, now);
    }
  }
  for (auto& [id, shard] : shards_) {
    FinishAggregate(*shard, now);
    DrainLimiter(*shard, now);
  }
  FlushCollection(now);
  ReleaseCompleted();
}

Clock::time_point StreamPipeline::Poll(Clock::time_point now) {
  while (!retries_.empty() && retries_.top().due <= now) {
    RecordRef record = std::move(const_cast<Retry&>(retries_.top()).record);
    retries_.pop();
    if (ExpirationOf(*record) <= now) {
      Expire(record, now);
      continue;
    }
    // As the KPL: a retried record waits at most half the usual buffering time.
    record->deadline = std::min(now + max_buffered_time_ / 2, ExpirationOf(*record));
    Route(std::move(record), now);
  }
  while (!awaiting_map_.empty() && awaiting_map_.front()->deadline <= now) {
    // No map in time: send without a prediction (and without aggregation), as the KPL.
    RecordRef record = std::move(awaiting_map_.front());
    awaiting_map_.pop_front();
    SendAlone(std::move(record), nullptr, now);
  }
  if (map_refresh_wanted_) RequestShardMap(now);
  for (auto& [id, shard] : shards_) {
    if (!shard->aggregating.empty() && shard->aggregate_deadline <= now) {
      FinishAggregate(*shard, now);
    }
    if (!shard->limited.empty()) DrainLimiter(*shard, now);
  }
  if (!collection_.empty() && collection_deadline_ <= now) FlushCollection(now);
  ReleaseCompleted();

  Clock::time_point next = Clock::time_point::max();
  if (!retries_.empty()) next = std::min(next, retries_.top().due);
  if (!awaiting_map_.empty()) next = std::min(next, awaiting_map_.front()->deadline);
  if (map_refresh_wanted_ && !map_requested_) next = std::min(next, map_allowed_at_);
  for (const auto& [id, shard] : shards_) {
    next = std::min(next, shard->aggregate_deadline);
    if (!shard->limited.empty()) next = std::min(next, now + kLimiterPoll);
  }
  return std::min(next, collection_deadline_);
}

void StreamPipeline::RequestShardMap(Clock::time_point now) {
  map_refresh_wanted_ = true;
  if (map_requested_) return;
  if (now < map_allowed_at_) {
    host_.WakeAt(map_allowed_at_);
    return;
  }
  map_refresh_wanted_ = false;
  map_requested_ = true;
  if (map_state_ == MapState::kNone) map_state_ = MapState::kLoading;
  host_.ListShards(*this);
}

void StreamPipeline::OnShardsListed(Result<std::vector<ListedShard>> listing) {
  const Clock::time_point now = Clock::now();
  map_requested_ = false;
  if (!listing) {
    map_backoff_ = std::clamp<Clock::duration>(map_backoff_ * 2, kMinMapInterval, kMaxMapBackoff);
    map_allowed_at_ = now + map_backoff_;
    map_refresh_wanted_ = true;
    host_.WakeAt(map_allowed_at_);
    if (map_state_ != MapState::kReady) {
      map_state_ = MapState::kFailed;
      while (!awaiting_map_.empty()) {
        RecordRef record = std::move(awaiting_map_.front());
        awaiting_map_.pop_front();
        SendAlone(std::move(record), nullptr, now);
      }
      if (std::exchange(flush_when_mapped_, false)) Flush();
    }
    ReleaseCompleted();
    return;
  }
  map_backoff_ = Clock::duration::zero();
  map_allowed_at_ = now + kMinMapInterval;
  InstallShardMap(ShardMap::FromListing(*listing), now);
  if (std::exchange(flush_when_mapped_, false)) Flush();
  ReleaseCompleted();
}

void StreamPipeline::InstallShardMap(ShardMap map, Clock::time_point now) {
  map_ = std::move(map);
  for (auto& [id, shard] : shards_) shard->open = false;
  shard_of_index_.clear();
  for (const ShardRange& range : map_.shards()) {
    ShardState& shard = ShardNamed(range.shard_id, now);
    shard.open = true;
    shard_of_index_.push_back(&shard);
  }
  map_state_ = MapState::kReady;
  // What waits inside closed shards (their aggregates and limiters) and for the first map
  // is routed again by the new map.
  std::vector<RecordRef> reroute;
  for (auto& [id, shard] : shards_) {
    if (shard->open) continue;
    if (!shard->aggregating.empty()) {
      (void)shard->aggregator.FinishUnsealed();
      for (RecordRef& item : shard->aggregating) reroute.push_back(std::move(item));
      shard->aggregating.clear();
      shard->aggregate_arrivals.clear();
      shard->aggregate_deadline = Clock::time_point::max();
      shard->aggregate_expiration = Clock::time_point::max();
    }
    for (KinesisRecordPtr& record : shard->limited) {
      for (RecordRef& item : record->items) reroute.push_back(std::move(item));
    }
    shard->limited.clear();
  }
  while (!awaiting_map_.empty()) {
    reroute.push_back(std::move(awaiting_map_.front()));
    awaiting_map_.pop_front();
  }
  for (RecordRef& record : reroute) Route(std::move(record), now);
}

ShardState& StreamPipeline::ShardNamed(std::string_view shard_id, Clock::time_point now) {
  auto it = shards_.find(shard_id);
  if (it == shards_.end()) {
    it = shards_
             .emplace(std::string(shard_id),
                      std::make_unique<ShardState>(std::string(shard_id), config_, now))
             .first;
    it->second->interned_id = InternShardId(shard_id);
  }
  return *it->second;
}

void StreamPipeline::ReleaseCompleted() {
  if (completing_.empty()) return;
  for (const RecordRef& record : completing_) {
    const size_t retries = record->tries > 0 ? record->tries - 1u : 0u;
    ++records_by_retries_[std::min(retries, records_by_retries_.size() - 1)];
  }
  host_.Released(completing_.size(), released_bytes_);
  released_bytes_ = 0;
  std::vector<RecordRef> completing;
  completing.swap(completing_);
  for (RecordRef& record : completing) {
    if (record->Observed()) record->Complete();
  }
  host_.Completed(completing.size());
  completing.clear();
  if (completing_.empty()) completing_.swap(completing);  // keep the capacity
}

void StreamPipeline::FailBatch(PutRecordsBatch& batch, std::string_view code,
                               std::string_view message) {
  const WallClock::time_point wall = WallClock::now();
  const AttemptLog attempt = FailedAttempt(wall, wall, std::string(code), std::string(message));
  for (KinesisRecordPtr& record : batch.records) {
    if (!record) continue;
    for (RecordRef& item : record->items) {
      if (item.get() == nullptr || item->completed) continue;
      item->AddAttempt(attempt);
      FailRecord(item);
    }
  }
  ReleaseCompleted();
}

void StreamPipeline::FailAll(std::string_view code, std::string_view message) {
  PutRecordsBatch everything;
  auto take = [&everything](RecordRef record) {
    auto holder = std::make_unique<KinesisRecord>();
    holder->items.push_back(std::move(record));
    everything.records.push_back(std::move(holder));
  };
  for (RecordRef& record : awaiting_map_) take(std::move(record));
  awaiting_map_.clear();
  while (!retries_.empty()) {
    take(std::move(const_cast<Retry&>(retries_.top()).record));
    retries_.pop();
  }
  for (auto& [id, shard] : shards_) {
    for (RecordRef& record : shard->aggregating) take(std::move(record));
    shard->aggregating.clear();
    for (KinesisRecordPtr& record : shard->limited) everything.records.push_back(std::move(record));
    shard->limited.clear();
  }
  for (KinesisRecordPtr& record : collection_) everything.records.push_back(std::move(record));
  collection_.clear();
  FailBatch(everything, code, message);
}

StreamMetrics StreamPipeline::Snapshot() const {
  StreamMetrics out;
  out.stream = stream_;
  out.user_records_received = received_;
  out.user_records_pending = received_ - completed_;
  out.put_records_requests = requests_;
  out.records_by_retries = records_by_retries_;
  out.buffering_time = buffering_time_.Snapshot();
  out.request_latency = request_latency_.Snapshot();
  auto add = [&out](const PutCounters& counters, const std::string& shard_id) {
    if (counters.empty() && shard_id.empty()) return;
    out += counters;
    out.shards.push_back(ShardMetrics{counters, shard_id});
  };
  for (const auto& [id, shard] : shards_) add(shard->counters, id);
  add(unknown_shard_, "");
  return out;
}

}  // namespace sluice::client
