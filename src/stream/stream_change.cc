#include "stream/stream_change.h"

#include <charconv>
#include <sstream>

namespace sluice::stream {

namespace {

constexpr std::string_view kStartEncryption = "start_encryption ";

std::optional<uint32_t> ParseIndex(const std::string& word) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return value;
}

StreamChange Of(StreamChange::Kind kind) {
  StreamChange change;
  change.kind = kind;
  return change;
}

}  // namespace

StreamChange StreamChange::Split(uint32_t shard, HashKey at) {
  StreamChange change = Of(Kind::kSplit);
  change.shard = shard;
  change.hash_key = at;
  return change;
}

StreamChange StreamChange::Merge(uint32_t shard, uint32_t adjacent) {
  StreamChange change = Of(Kind::kMerge);
  change.shard = shard;
  change.adjacent = adjacent;
  return change;
}

StreamChange StreamChange::ShardCount(uint32_t target) {
  StreamChange change = Of(Kind::kShardCount);
  change.count = target;
  return change;
}

StreamChange StreamChange::Mode(StreamMode mode) {
  StreamChange change = Of(Kind::kMode);
  change.mode = mode;
  return change;
}

StreamChange StreamChange::MaxRecordSize(uint32_t kib) {
  StreamChange change = Of(Kind::kMaxRecordSize);
  change.count = kib;
  return change;
}

StreamChange StreamChange::StartEncryption(std::string key_id) {
  StreamChange change = Of(Kind::kStartEncryption);
  change.key_id = std::move(key_id);
  return change;
}

StreamChange StreamChange::StopEncryption() { return Of(Kind::kStopEncryption); }

uint32_t AddedShards(const StreamChange& change, size_t open_count) {
  switch (change.kind) {
    case StreamChange::Kind::kSplit:
      return 1;
    case StreamChange::Kind::kShardCount:
      return change.count > open_count ? change.count - static_cast<uint32_t>(open_count) : 0;
    default:
      return 0;
  }
}

std::string EncodeStreamChange(const StreamChange& change) {
  const std::string count = std::to_string(change.count);
  switch (change.kind) {
    case StreamChange::Kind::kSplit:
      return "split " + std::to_string(change.shard) + " " + FormatHashKey(change.hash_key);
    case StreamChange::Kind::kMerge:
      return "merge " + std::to_string(change.shard) + " " + std::to_string(change.adjacent);
    case StreamChange::Kind::kShardCount:
      return "shard_count " + count;
    case StreamChange::Kind::kMode:
      return "mode " + std::string(StreamModeName(change.mode));
    case StreamChange::Kind::kMaxRecordSize:
      return "max_record_size " + count;
    case StreamChange::Kind::kStartEncryption:
      return std::string(kStartEncryption) + change.key_id;  // the rest of the line
    case StreamChange::Kind::kStopEncryption:
      return "stop_encryption";
  }
  return {};
}

std::optional<StreamChange> DecodeStreamChange(std::string_view text) {
  if (text.starts_with(kStartEncryption)) {
    return StreamChange::StartEncryption(std::string(text.substr(kStartEncryption.size())));
  }
  std::istringstream words{std::string(text)};
  std::string verb, first, second;
  words >> verb >> first >> second;
  const std::optional<uint32_t> a = ParseIndex(first);
  const std::optional<uint32_t> b = ParseIndex(second);
  const std::optional<HashKey> key = ParseHashKey(second);
  if (verb == "split" && a && key) return StreamChange::Split(*a, *key);
  if (verb == "merge" && a && b) return StreamChange::Merge(*a, *b);
  if (verb == "shard_count" && a && second.empty()) return StreamChange::ShardCount(*a);
  if (verb == "max_record_size" && a && second.empty()) return StreamChange::MaxRecordSize(*a);
  if (verb == "mode" && first == "ON_DEMAND") return StreamChange::Mode(StreamMode::kOnDemand);
  if (verb == "mode" && first == "PROVISIONED") return StreamChange::Mode(StreamMode::kProvisioned);
  if (verb == "stop_encryption" && first.empty()) return StreamChange::StopEncryption();
  return std::nullopt;
}

}  // namespace sluice::stream
