// StreamManager's updates: the changes that turn a stream UPDATING (reshards, capacity
// mode, largest record size, encryption), kept in meta.db until the update ends and then
// carried out, also after a restart.
#include <spdlog/spdlog.h>

#include "stream/stream_manager.h"

namespace sluice::stream {

Result<std::shared_ptr<StreamManager::Stream>> StreamManager::FindUpdatable(std::string_view name) {
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  if (stream->info.status != StreamStatus::kActive) return NotActive(name, stream->info.status);
  return stream;
}

Status StreamManager::BeginUpdate(Stream& stream, const StreamChange& change) {
  std::string encoded = EncodeStreamChange(change);
  if (auto ok = store_->UpdatePendingChange(stream.info.uid, encoded); !ok) return ok;
  stream.info.pending_change = std::move(encoded);
  stream.reserved_shards = AddedShards(change, stream.shards()->open_count());
  return ChangeStatus(stream, StreamStatus::kUpdating);
}

void StreamManager::FinishUpdate(Stream& stream) {
  if (stream.info.pending_change) {
    const std::optional<StreamChange> change = DecodeStreamChange(*stream.info.pending_change);
    Status done = change
                      ? ApplyChange(stream, *change)
                      : Status(Fail(ErrorCode::kDataLoss, "unreadable pending change '" +
                                                              *stream.info.pending_change + "'"));
    if (!done) spdlog::error("updating stream '{}': {}", stream.info.name, done.error().message);
    if (auto ok = store_->UpdatePendingChange(stream.info.uid, std::nullopt); !ok) {
      spdlog::error("updating stream '{}': {}", stream.info.name, ok.error().message);
    }
    stream.info.pending_change.reset();
    stream.reserved_shards = 0;
  }
  Activate(stream);
}

Status StreamManager::ApplyChange(Stream& stream, const StreamChange& change) {
  switch (change.kind) {
    case StreamChange::Kind::kSplit:
      return Split(stream, change.shard, change.hash_key).map([](auto&&) {});
    case StreamChange::Kind::kMerge:
      return Merge(stream, change.shard, change.adjacent).map([](auto&&) {});
    case StreamChange::Kind::kShardCount:
      return ScaleUniformly(stream, change.count);
    case StreamChange::Kind::kMode:
      if (auto ok = store_->UpdateMode(stream.info.uid, change.mode); !ok) return ok;
      stream.info.mode = stream.mode = change.mode;
      return Ok();
    case StreamChange::Kind::kMaxRecordSize:
      if (auto ok = store_->UpdateMaxRecordSize(stream.info.uid, change.count); !ok) return ok;
      stream.info.max_record_size_kib = change.count;
      stream.max_record_bytes = change.count * 1024;
      return Ok();
    case StreamChange::Kind::kStartEncryption:
      return SetEncryption(stream, change.key_id);
    case StreamChange::Kind::kStopEncryption:
      return SetEncryption(stream, std::nullopt);
  }
  return Ok();
}

Status StreamManager::UpdateStreamMode(std::string_view name, StreamMode mode) {
  std::lock_guard lock(mu_);
  auto found = FindUpdatable(name);
  if (!found) return Fail(found.error());
  Stream& stream = **found;
  if (stream.info.mode == mode) {
    return Fail(ErrorCode::kInvalidArgument,
                "Stream " + std::string(name) + " under account " + options_.account_id +
                    " is already in " + std::string(StreamModeName(mode)) + " mode.",
                "ValidationException");
  }
  if (mode == StreamMode::kOnDemand &&
      Limits().on_demand_stream_count >= options_.on_demand_stream_limit) {
    return Fail(ErrorCode::kResourceExhausted, "This request would exceed the limit of " +
                                                   std::to_string(options_.on_demand_stream_limit) +
                                                   " on-demand streams for the account " +
                                                   options_.account_id + ".");
  }
  if (auto ok = CheckCallRate(stream, LimitedCall::kUpdateStreamMode); !ok) return ok;
  if (auto ok = BeginUpdate(stream, StreamChange::Mode(mode)); !ok) return ok;
  RecordCall(stream, LimitedCall::kUpdateStreamMode);
  return Ok();
}

Status StreamManager::UpdateMaxRecordSize(std::string_view name, uint32_t kib) {
  std::lock_guard lock(mu_);
  auto found = FindUpdatable(name);
  if (!found) return Fail(found.error());
  return BeginUpdate(**found, StreamChange::MaxRecordSize(kib));
}

Status StreamManager::StartStreamEncryption(std::string_view name, std::string_view key_id) {
  std::lock_guard lock(mu_);
  auto found = FindUpdatable(name);
  if (!found) return Fail(found.error());
  if (auto key = keys_->Find(key_id); !key) return Fail(key.error());
  return BeginUpdate(**found, StreamChange::StartEncryption(std::string(key_id)));
}

Status StreamManager::StopStreamEncryption(std::string_view name) {
  std::lock_guard lock(mu_);
  auto found = FindUpdatable(name);
  if (!found) return Fail(found.error());
  return BeginUpdate(**found, StreamChange::StopEncryption());
}

Status StreamManager::SetEncryption(Stream& stream, std::optional<std::string> key_id) {
  std::optional<storage::SealKey> key;
  if (key_id) {
    auto found = keys_->Find(*key_id);
    if (!found) return Fail(found.error());
    key = *found;
  }
  if (auto ok = store_->UpdateEncryption(stream.info.uid, key_id); !ok) return ok;
  stream.info.encryption_key_id = std::move(key_id);
  stream.seal_key = key;
  stream.encrypted = key.has_value();
  for (const LiveShard* shard : stream.shards()->Open()) {
    if (auto ok = shard->log->SetSealKey(key); !ok) return ok;
  }
  return Ok();
}

Result<WriteSettings> StreamManager::WriteSettingsOf(std::string_view name) const {
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  return WriteSettings{stream->max_record_bytes.load(), stream->encrypted.load()};
}

}  // namespace sluice::stream
