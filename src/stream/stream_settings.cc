// StreamManager's stream settings: capacity mode and largest record size. Like a reshard,
// each turns the stream UPDATING and takes effect when the state-change delay ends.
#include "stream/stream_manager.h"

namespace sluice::stream {

Result<std::shared_ptr<StreamManager::Stream>> StreamManager::FindUpdatable(std::string_view name) {
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  if (stream->info.status != StreamStatus::kActive) return NotActive(name, stream->info.status);
  return stream;
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
  BeginUpdate(stream, [this, &stream, mode]() -> Status {
    if (auto ok = store_->UpdateMode(stream.info.uid, mode); !ok) return ok;
    stream.info.mode = mode;
    stream.mode = mode;
    return Ok();
  });
  return Ok();
}

Status StreamManager::UpdateMaxRecordSize(std::string_view name, uint32_t kib) {
  std::lock_guard lock(mu_);
  auto found = FindUpdatable(name);
  if (!found) return Fail(found.error());
  Stream& stream = **found;
  BeginUpdate(stream, [this, &stream, kib]() -> Status {
    if (auto ok = store_->UpdateMaxRecordSize(stream.info.uid, kib); !ok) return ok;
    stream.info.max_record_size_kib = kib;
    stream.max_record_bytes = kib * 1024;
    return Ok();
  });
  return Ok();
}

Result<uint32_t> StreamManager::MaxRecordBytes(std::string_view name) const {
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  return stream->max_record_bytes.load();
}

}  // namespace sluice::stream
