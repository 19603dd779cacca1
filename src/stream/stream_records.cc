// StreamManager's data path: PutRecords, GetShardIterator, GetRecords.
#include <algorithm>
#include <atomic>
#include <deque>
#include <span>

#include "stream/sequence_number.h"
#include "stream/stream_manager.h"

namespace sluice::stream {

namespace {

constexpr size_t kMaxGetRecordsBytes = size_t{10} << 20;
// Routing attempts of one entry: a reshard between routing and appending sends it back once.
constexpr int kMaxRouteAttempts = 3;

Error Throttled(std::string what, std::string_view stream, std::string_view account) {
  return Error{ErrorCode::kResourceExhausted,
               "Rate exceeded for " + what + " in stream " + std::string(stream) +
                   " under account " + std::string(account) + ".",
               "ProvisionedThroughputExceededException"};
}

// Kinesis per-record error codes for a failed shard append.
Error RecordError(const Error& error, std::string_view shard_id, std::string_view stream,
                  std::string_view account) {
  if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kResourceExhausted) {
    return Throttled("shard " + std::string(shard_id), stream, account);
  }
  return Error{ErrorCode::kInternal, "Internal service failure.", "InternalFailure"};
}

size_t ChargedBytes(const PutEntry& entry) {
  return entry.data.size() + entry.partition_key.size();
}

// Each entry's hash key: its explicit one, else the MD5 of its partition key, the keys of a
// request hashed together (HashKeysOf).
std::vector<HashKey> RoutingKeys(const std::vector<PutEntry>& entries) {
  std::vector<HashKey> keys(entries.size());
  std::vector<std::string_view> partition_keys;
  std::vector<size_t> hashed;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].explicit_hash_key) {
      keys[i] = *entries[i].explicit_hash_key;
    } else {
      partition_keys.push_back(entries[i].partition_key);
      hashed.push_back(i);
    }
  }
  std::vector<HashKey> hashes(partition_keys.size());
  HashKeysOf(partition_keys, hashes);
  for (size_t j = 0; j < hashed.size(); ++j) keys[hashed[j]] = hashes[j];
  return keys;
}

}  // namespace

// The state of one PutRecords call while its shard appends complete. It owns itself:
// every shard append holds a share (groups_left), and the last one to finish delivers the
// outcomes and deletes it (Release), so that an append's callback holds one pointer and
// needs no allocation (a 500-record request over 64 shards has 64 of them).
struct StreamManager::PendingPut {
  // What one shard append's completion needs.
  struct Group {
    PendingPut* pending;
    uint32_t shard_index;
    std::shared_ptr<ShardTraffic> traffic;
    size_t bytes;
    std::span<const size_t> entries;
  };

  std::vector<PutEntry> entries;
  std::vector<HashKey> keys;  // each entry's hash key, computed once (MD5)
  std::vector<PutOutcome> outcomes;
  std::string stream_name;                  // for the records' error messages
  const std::string* account_id = nullptr;  // the manager's, which outlives every request
  // Entry indexes grouped by shard, one vector per routing (a reshard meanwhile routes
  // some again): each shard append's group is a run of one of them. Never shrinks, so
  // the runs stay valid for the appends' callbacks.
  std::deque<std::vector<size_t>> groupings;
  std::deque<Group> groups;  // never moves an element
  std::atomic<size_t> groups_left{0};
  // No reference to the stream: the last one must never be dropped on the flusher thread
  // (closing a shard log there would deadlock); a log finishes its queued appends when it
  // closes, so the callbacks never outlive it.
  PutCallback done;

  // Gives up one share; the last delivers the outcomes and deletes `pending`.
  static void Release(PendingPut* pending) {
    if (pending->groups_left.fetch_sub(1) != 1) return;
    std::unique_ptr<PendingPut> owned(pending);
    owned->done(std::move(owned->outcomes));
  }

  // A shard append is done: fills in its records' outcomes and gives up its share.
  static void Complete(const Group& group, const Result<storage::AppendResult>& result) {
    PendingPut& pending = *group.pending;
    if (result) group.traffic->CountWrite(group.entries.size(), group.bytes);
    for (size_t k = 0; k < group.entries.size(); ++k) {
      PutOutcome& outcome = pending.outcomes[group.entries[k]];
      outcome.shard_index = group.shard_index;
      if (result) {
        outcome.position = result->first_position + k;
      } else {
        outcome.error = RecordError(result.error(), ShardIdOf(group.shard_index),
                                    pending.stream_name, *pending.account_id);
      }
    }
    Release(&pending);
  }
};

void StreamManager::PutRecords(std::string_view name, std::vector<PutEntry> entries,
                               PutCallback done) {
  auto found = FindActive(name);
  if (!found) {
    done(Fail(found.error()));
    return;
  }
  PendingPut* pending = std::make_unique<PendingPut>().release();  // see PendingPut::Release
  pending->outcomes.resize(entries.size());
  pending->entries = std::move(entries);
  pending->keys = RoutingKeys(pending->entries);
  pending->stream_name = (*found)->info.name;
  pending->account_id = &options_.account_id;
  pending->done = std::move(done);
  pending->groups_left = 1;  // until every group is queued
  std::vector<size_t> indexes(pending->entries.size());
  for (size_t i = 0; i < indexes.size(); ++i) indexes[i] = i;
  Admit(**found, *pending, indexes);
  PutEntries(**found, *pending, indexes, 0);
  PendingPut::Release(pending);
}

void StreamManager::Admit(Stream& stream, PendingPut& pending, std::vector<size_t>& indexes) {
  // Throughput limits: per shard on provisioned streams, the stream's ceiling on on-demand
  // ones. A refused record gets ProvisionedThroughputExceededException and is not stored.
  if (!options_.enforce_limits) return;
  const int64_t now = NowMs();
  const bool on_demand = stream.mode.load() == StreamMode::kOnDemand;
  if (on_demand) {
    size_t total = 0;
    for (size_t i : indexes) total += ChargedBytes(pending.entries[i]);
    if (stream.AdmitOnDemandWrite(total, now)) return;
  }
  const std::shared_ptr<const ShardSet> set = stream.shards();
  std::erase_if(indexes, [&](size_t i) {
    const PutEntry& entry = pending.entries[i];
    const LiveShard& shard = set->all()[set->Route(pending.keys[i])];
    const bool admitted = on_demand ? stream.AdmitOnDemandWrite(ChargedBytes(entry), now)
                                    : shard.traffic->AdmitWrite(ChargedBytes(entry), now);
    if (admitted) return false;
    pending.outcomes[i].shard_index = shard.info.index;
    pending.outcomes[i].error =
        Throttled(on_demand ? std::string("stream") : "shard " + ShardIdOf(shard.info.index),
                  stream.info.name, options_.account_id);
    return true;
  });
}

void StreamManager::PutEntries(Stream& stream, PendingPut& pending, std::span<const size_t> indexes,
                               int attempt) {
  const std::shared_ptr<const ShardSet> set = stream.shards();
  // Counting sort by shard: each shard's entries become one run of `grouped`.
  std::vector<uint32_t> shard_of(indexes.size());
  std::vector<size_t> ends(set->all().size(), 0);
  for (size_t k = 0; k < indexes.size(); ++k) {
    shard_of[k] = static_cast<uint32_t>(set->Route(pending.keys[indexes[k]]));
    ++ends[shard_of[k]];
  }
  for (size_t s = 1; s < ends.size(); ++s) ends[s] += ends[s - 1];
  std::vector<size_t>& grouped = pending.groupings.emplace_back(indexes.size());
  for (size_t k = indexes.size(); k-- > 0;) grouped[--ends[shard_of[k]]] = indexes[k];
  // `ends` now holds each run's start.
  std::vector<storage::RecordInput> inputs;
  storage::FlushNotices notices(flusher_.get(), ends.size());
  for (size_t s = 0; s < ends.size(); ++s) {
    const size_t end = s + 1 < ends.size() ? ends[s + 1] : grouped.size();
    if (end == ends[s]) continue;
    const std::span<const size_t> group(grouped.data() + ends[s], end - ends[s]);
    const LiveShard& shard = set->all()[s];
    inputs.clear();
    size_t bytes = 0;
    for (size_t i : group) {
      const PutEntry& entry = pending.entries[i];
      inputs.push_back(storage::RecordInput{entry.partition_key, {}, entry.data});
      bytes += ChargedBytes(entry);
    }
    ++pending.groups_left;
    PendingPut::Group* state = &pending.groups.emplace_back(
        PendingPut::Group{&pending, shard.info.index, shard.traffic, bytes, group});
    auto complete = [state](Result<storage::AppendResult> result) {
      PendingPut::Complete(*state, result);
    };
    auto queued = shard.log->AppendAsync(inputs, complete, &notices);
    if (queued) continue;
    if (queued.error().code == ErrorCode::kFailedPrecondition && attempt + 1 < kMaxRouteAttempts) {
      // The shard closed in a reshard since `set` was taken: route over the new shards.
      PutEntries(stream, pending, group, attempt + 1);
      PendingPut::Release(&pending);
      continue;
    }
    complete(Fail(queued.error()));
  }
}

Result<std::string> StreamManager::GetShardIterator(std::string_view name,
                                                    std::string_view shard_id,
                                                    const IteratorRequest& request) {
  auto found = FindActive(name);
  if (!found) return Fail(found.error());
  const Stream& stream = **found;
  const std::shared_ptr<const ShardSet> set = stream.shards();
  const std::optional<uint32_t> index = ParseShardId(shard_id);
  const LiveShard* shard = index ? set->Find(*index) : nullptr;
  if (!shard) {
    return Fail(ErrorCode::kNotFound, "Shard " + std::string(shard_id) + " in stream " +
                                          std::string(name) + " under account " +
                                          options_.account_id + " does not exist");
  }
  const storage::ShardLog& log = *shard->log;
  const int64_t now = NowMs();
  uint64_t position = 0;
  switch (request.type) {
    case IteratorType::kTrimHorizon:
      position = log.trim_horizon();
      break;
    case IteratorType::kLatest:
      position = log.tail_position();
      break;
    case IteratorType::kAtSequenceNumber:
    case IteratorType::kAfterSequenceNumber: {
      if (!request.sequence_number) {
        return Fail(ErrorCode::kInvalidArgument,
                    "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                    "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                    "StartingSequenceNumber. Request specified " +
                        std::string(request.type == IteratorType::kAtSequenceNumber
                                        ? "AT_SEQUENCE_NUMBER"
                                        : "AFTER_SEQUENCE_NUMBER") +
                        " and no StartingSequenceNumber.");
      }
      const std::optional<SequencePosition> decoded = ParseSequenceNumber(*request.sequence_number);
      if (!decoded) {
        return Fail(ErrorCode::kInvalidArgument,
                    "StartingSequenceNumber " + *request.sequence_number +
                        " used in GetShardIterator on shard " + std::string(shard_id) +
                        " in stream " + std::string(name) + " under account " +
                        options_.account_id + " is invalid.");
      }
      if (decoded->shard_index != *index) {
        return Fail(ErrorCode::kInvalidArgument,
                    "Invalid StartingSequenceNumber. It encodes " +
                        ShardIdOf(decoded->shard_index) +
                        ", while it was used in a call to a shard with " + std::string(shard_id));
      }
      position = decoded->position + (request.type == IteratorType::kAfterSequenceNumber ? 1 : 0);
      break;
    }
    case IteratorType::kAtTimestamp: {
      if (!request.timestamp_ms) {
        return Fail(ErrorCode::kInvalidArgument,
                    "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                    "Current request has no timestamp parameter.");
      }
      if (*request.timestamp_ms > now) {
        return Fail(ErrorCode::kInvalidArgument,
                    "The timestampInMillis parameter cannot be greater than the "
                    "currentTimestampInMillis. timestampInMillis: " +
                        std::to_string(*request.timestamp_ms) +
                        ", currentTimestampInMillis: " + std::to_string(now));
      }
      auto seek = log.SeekTime(*request.timestamp_ms);
      if (!seek) return Fail(seek.error());
      position = *seek;
      break;
    }
  }
  return iterators_->Encode(
      IteratorState{stream.info.uid, *index, position, iterators_->ExpiryFor(now)});
}

void StreamManager::GetRecords(std::string_view iterator, size_t limit, ReadCallback done) {
  auto read = StartRead(iterator, limit);
  if (!read) {
    done(Fail(read.error()));
    return;
  }
  auto result = FinishRead(*read, storage::ReadWait::kCachedOnly);
  // A batch cut short by the disk is read again whole, so that a call returns as much as
  // one that waits on the caller's thread would.
  if (!result || !result->batch.needs_disk()) {
    done(std::move(result));
    return;
  }
  readers_->Post([this, read = std::move(*read), done = std::move(done)] {
    done(FinishRead(read, storage::ReadWait::kMayWait));
  });
}

Result<StreamManager::ShardRead> StreamManager::StartRead(std::string_view iterator, size_t limit) {
  const int64_t now = NowMs();
  auto state = iterators_->Decode(iterator, now);
  if (!state) return Fail(state.error());
  ShardRead read;
  read.state = *state;
  read.limit = limit;
  read.stream = FindByUid(state->stream_uid);
  read.set = read.stream ? read.stream->shards() : nullptr;
  read.shard = read.set ? read.set->Find(state->shard_index) : nullptr;
  if (!read.shard) {
    return Fail(ErrorCode::kNotFound, "Shard " + ShardIdOf(state->shard_index) +
                                          " in stream under account " + options_.account_id +
                                          " does not exist");
  }
  const Stream& stream = *read.stream;
  const StreamStatus status = stream.status.load();
  if (status != StreamStatus::kActive && status != StreamStatus::kUpdating) {
    return NotFound(stream.info.name);
  }
  read.quotas = options_.enforce_limits && stream.mode.load() == StreamMode::kProvisioned;
  if (read.quotas && !read.shard->traffic->AdmitRead(now)) {
    return Fail(Throttled("Shard " + ShardIdOf(read.shard->info.index), stream.info.name,
                          options_.account_id));
  }
  return read;
}

Result<ReadResult> StreamManager::FinishRead(const ShardRead& read, storage::ReadWait wait) {
  const LiveShard& shard = *read.shard;
  ReadResult result;
  result.shard_index = read.state.shard_index;
  if (auto ok = shard.log->Read(read.state.position,
                                storage::ReadLimits{read.limit, kMaxGetRecordsBytes, wait},
                                &result.batch);
      !ok) {
    return Fail(ok.error());
  }
  if (result.batch.needs_disk()) return result;  // to be read again: nothing charged yet
  const int64_t now = NowMs();
  if (read.quotas) shard.traffic->ChargeRead(result.batch.payload_bytes(), now);
  const uint64_t next = result.batch.next_position();
  const std::optional<uint64_t> end = shard.info.end_position;
  if (!end || next < *end) {
    result.next_iterator = iterators_->Encode(IteratorState{
        read.stream->info.uid, read.state.shard_index, next, iterators_->ExpiryFor(now)});
  } else {
    result.children = read.set->ChildrenOf(read.state.shard_index);
  }
  if (!result.batch.empty() && next < shard.log->tail_position()) {
    result.millis_behind_latest =
        std::max<int64_t>(0, now - result.batch.records().back().arrival_ms);
  }
  return result;
}

}  // namespace sluice::stream
