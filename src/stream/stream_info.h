#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/hash_key.h"

namespace sluice::stream {

// Kinesis retention bounds, in hours.
inline constexpr int64_t kMinRetentionHours = 24;
inline constexpr int64_t kMaxRetentionHours = 8760;
// A stream's largest record (UpdateMaxRecordSize), in KiB.
inline constexpr uint32_t kDefaultMaxRecordSizeKib = 1024;

// Kinesis stream states. CREATING and DELETING last the configured state-change delay.
enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting };
enum class StreamMode { kProvisioned, kOnDemand };

// Wire values ("ACTIVE", "ON_DEMAND"): Kinesis enum values, not JSON member names.
std::string_view StreamStatusName(StreamStatus status);
std::string_view StreamModeName(StreamMode mode);

// One shard's lasting description (its records live in the shard log).
struct ShardInfo {
  uint32_t index = 0;  // shardId-<index, 12 digits>
  std::optional<uint32_t> parent_index;
  std::optional<uint32_t> adjacent_parent_index;
  HashKeyRange range;
  int64_t created_ms = 0;
  // Set once the shard is closed by a reshard: one past its last position. (Between the
  // reshard and the end of the appends in flight, a closed shard has children but no end
  // position yet.)
  std::optional<uint64_t> end_position;

  bool open() const { return !end_position.has_value(); }
};

// One stream's lasting description, as meta.db keeps it.
struct StreamInfo {
  uint64_t uid = 0;  // unique across re-creations of the same name; names its data folder
  std::string name;
  StreamMode mode = StreamMode::kProvisioned;
  StreamStatus status = StreamStatus::kCreating;
  int64_t created_ms = 0;
  int64_t status_changed_ms = 0;
  int64_t retention_hours = 24;
  uint32_t max_record_size_kib = kDefaultMaxRecordSizeKib;
  // StartStreamEncryption's KeyId as given; empty: records are stored unencrypted.
  std::optional<std::string> encryption_key_id;
  // While UPDATING: the change to carry out when the update ends (EncodeStreamChange).
  std::optional<std::string> pending_change;
  // When UpdateShardCount and UpdateStreamMode calls were accepted (ms), the recent ones
  // only: AWS allows ten and two per rolling 24 hours.
  std::vector<int64_t> shard_count_updates_ms;
  std::vector<int64_t> mode_updates_ms;
  std::vector<ShardInfo> shards;
  std::map<std::string, std::string> tags;

  int64_t open_shard_count() const;
};

// When shard `index` of `shards` stopped taking records: when a reshard created its
// children; nullopt while it has none.
std::optional<int64_t> ClosedAtMs(const std::vector<ShardInfo>& shards, uint32_t index);

// "shardId-000000000007" for 7, and back (nullopt for anything else).
std::string ShardIdOf(uint32_t index);
inline constexpr size_t kShardIdLength = 20;
std::array<char, kShardIdLength> ShardIdText(uint32_t index);  // without allocating
std::optional<uint32_t> ParseShardId(std::string_view shard_id);

}  // namespace sluice::stream
