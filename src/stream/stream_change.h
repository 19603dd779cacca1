#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/hash_key.h"
#include "stream/stream_info.h"

namespace sluice::stream {

// A change a stream carries out when its UPDATING state ends: a reshard or a settings
// change. meta.db keeps it (as text) while the stream is UPDATING, so a change accepted
// before a restart is still carried out after it.
struct StreamChange {
  enum class Kind {
    kSplit,            // shard at hash_key
    kMerge,            // shard with adjacent
    kShardCount,       // UNIFORM_SCALING to count
    kMode,             // to mode
    kMaxRecordSize,    // to count KiB
    kStartEncryption,  // under key_id
    kStopEncryption,
  };
  Kind kind = Kind::kSplit;
  uint32_t shard = 0;
  uint32_t adjacent = 0;
  uint32_t count = 0;
  HashKey hash_key = 0;
  StreamMode mode = StreamMode::kProvisioned;
  std::string key_id;

  static StreamChange Split(uint32_t shard, HashKey at);
  static StreamChange Merge(uint32_t shard, uint32_t adjacent);
  static StreamChange ShardCount(uint32_t target);
  static StreamChange Mode(StreamMode mode);
  static StreamChange MaxRecordSize(uint32_t kib);
  static StreamChange StartEncryption(std::string key_id);
  static StreamChange StopEncryption();
};

// The open shards `change` adds to a stream that has `open_count` now (what it reserves of
// the account's shard limit while it waits): one for a split, the difference for a larger
// shard count, none otherwise.
uint32_t AddedShards(const StreamChange& change, size_t open_count);

// One line of text, e.g. "split 3 170141183460469231731687303715884105728".
std::string EncodeStreamChange(const StreamChange& change);
// nullopt for text EncodeStreamChange did not write.
std::optional<StreamChange> DecodeStreamChange(std::string_view text);

}  // namespace sluice::stream
