// StreamManager's data path: PutRecords, GetShardIterator, GetRecords.
#include <algorithm>
#include <atomic>

#include "stream/sequence_number.h"
#include "stream/stream_manager.h"

namespace sluice::stream {

namespace {

constexpr size_t kMaxGetRecordsBytes = size_t{10} << 20;

// The state of one PutRecords call while its shard appends complete.
struct PendingPut {
  std::vector<PutEntry> entries;
  std::vector<PutOutcome> outcomes;
  std::atomic<size_t> groups_left{0};
  // No reference to the stream: the last one must never be dropped on the flusher thread
  // (closing a shard log there would deadlock); a log finishes its queued appends when it
  // closes, so the callbacks never outlive it.
  PutCallback done;

  void GroupDone() {
    if (groups_left.fetch_sub(1) == 1) done(std::move(outcomes));
  }
};

// Kinesis per-record error codes for a failed shard append.
Error RecordError(const Error& error, std::string_view shard_id, std::string_view stream,
                  std::string_view account) {
  if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kResourceExhausted) {
    return Error{ErrorCode::kResourceExhausted,
                 "Rate exceeded for shard " + std::string(shard_id) + " in stream " +
                     std::string(stream) + " under account " + std::string(account) + ".",
                 "ProvisionedThroughputExceededException"};
  }
  return Error{ErrorCode::kInternal, "Internal service failure.", "InternalFailure"};
}

}  // namespace

void StreamManager::PutRecords(std::string_view name, std::vector<PutEntry> entries,
                               PutCallback done) {
  auto found = FindActive(name);
  if (!found) {
    done(Fail(found.error()));
    return;
  }
  std::shared_ptr<Stream> stream = std::move(*found);
  const auto& routes = stream->routes;
  std::vector<std::vector<size_t>> groups(stream->shards.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const HashKey key = entries[i].explicit_hash_key.value_or(HashKeyOf(entries[i].partition_key));
    auto next = std::upper_bound(routes.begin(), routes.end(), std::make_pair(key, SIZE_MAX));
    groups[std::prev(next)->second].push_back(i);
  }

  auto pending = std::make_shared<PendingPut>();
  pending->outcomes.resize(entries.size());
  pending->entries = std::move(entries);
  pending->done = std::move(done);
  size_t group_count = 0;
  for (const auto& group : groups) group_count += group.empty() ? 0 : 1;
  pending->groups_left = group_count + 1;  // +1 until every group is queued

  for (size_t s = 0; s < groups.size(); ++s) {
    if (groups[s].empty()) continue;
    Shard& shard = stream->shards[s];
    std::vector<storage::RecordInput> inputs;
    inputs.reserve(groups[s].size());
    for (size_t i : groups[s]) {
      const PutEntry& entry = pending->entries[i];
      inputs.push_back(storage::RecordInput{entry.partition_key, {}, entry.data});
    }
    const uint32_t shard_index = shard.info.index;
    auto complete = [this, pending, shard_index, indexes = groups[s],
                     stream_name = stream->info.name](Result<storage::AppendResult> result) {
      for (size_t k = 0; k < indexes.size(); ++k) {
        PutOutcome& outcome = pending->outcomes[indexes[k]];
        outcome.shard_index = shard_index;
        if (result) {
          outcome.position = result->first_position + k;
        } else {
          outcome.error =
              RecordError(result.error(), ShardIdOf(shard_index), stream_name, options_.account_id);
        }
      }
      pending->GroupDone();
    };
    if (auto queued = shard.log->AppendAsync(inputs, complete); !queued) {
      complete(Fail(queued.error()));
    }
  }
  pending->GroupDone();
}

Result<std::string> StreamManager::GetShardIterator(std::string_view name,
                                                    std::string_view shard_id,
                                                    const IteratorRequest& request) {
  auto found = FindActive(name);
  if (!found) return Fail(found.error());
  const Stream& stream = **found;
  const std::optional<uint32_t> index = ParseShardId(shard_id);
  if (!index || *index >= stream.shards.size()) {
    return Fail(ErrorCode::kNotFound, "Shard " + std::string(shard_id) + " in stream " +
                                          std::string(name) + " under account " +
                                          options_.account_id + " does not exist");
  }
  const storage::ShardLog& log = *stream.shards[*index].log;
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

Result<ReadResult> StreamManager::GetRecords(std::string_view iterator, size_t limit) {
  const int64_t now = NowMs();
  auto state = iterators_->Decode(iterator, now);
  if (!state) return Fail(state.error());
  std::shared_ptr<Stream> stream = FindByUid(state->stream_uid);
  if (!stream || state->shard_index >= stream->shards.size()) {
    return Fail(ErrorCode::kNotFound, "Shard " + ShardIdOf(state->shard_index) +
                                          " in stream under account " + options_.account_id +
                                          " does not exist");
  }
  const StreamStatus status = stream->status.load();
  if (status != StreamStatus::kActive && status != StreamStatus::kUpdating) {
    return NotFound(stream->info.name);
  }
  const Shard& shard = stream->shards[state->shard_index];
  ReadResult result;
  result.shard_index = state->shard_index;
  if (auto ok = shard.log->Read(state->position, storage::ReadLimits{limit, kMaxGetRecordsBytes},
                                &result.batch);
      !ok) {
    return Fail(ok.error());
  }
  const uint64_t next = result.batch.next_position();
  if (shard.info.open() || next < *shard.info.end_position) {
    result.next_iterator = iterators_->Encode(
        IteratorState{stream->info.uid, state->shard_index, next, iterators_->ExpiryFor(now)});
  }
  if (!result.batch.empty() && next < shard.log->tail_position()) {
    result.millis_behind_latest =
        std::max<int64_t>(0, now - result.batch.records().back().arrival_ms);
  }
  return result;
}

}  // namespace sluice::stream
