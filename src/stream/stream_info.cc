#include "stream/stream_info.h"

#include <algorithm>
#include <charconv>

namespace sluice::stream {

std::string_view StreamStatusName(StreamStatus status) {
  switch (status) {
    case StreamStatus::kCreating:
      return "CREATING";
    case StreamStatus::kActive:
      return "ACTIVE";
    case StreamStatus::kUpdating:
      return "UPDATING";
    case StreamStatus::kDeleting:
      return "DELETING";
  }
  return "ACTIVE";
}

std::string_view StreamModeName(StreamMode mode) {
  return mode == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
}

int64_t StreamInfo::open_shard_count() const {
  return std::count_if(shards.begin(), shards.end(),
                       [](const ShardInfo& shard) { return shard.open(); });
}

std::optional<int64_t> ClosedAtMs(const std::vector<ShardInfo>& shards, uint32_t index) {
  for (const ShardInfo& shard : shards) {
    if (shard.parent_index == index || shard.adjacent_parent_index == index) {
      return shard.created_ms;
    }
  }
  return std::nullopt;
}

std::array<char, kShardIdLength> ShardIdText(uint32_t index) {
  constexpr std::string_view kZero = "shardId-000000000000";
  static_assert(kZero.size() == kShardIdLength);
  std::array<char, kShardIdLength> id;
  std::copy(kZero.begin(), kZero.end(), id.begin());
  for (size_t pos = id.size(); index > 0; index /= 10)
    id[--pos] = static_cast<char>('0' + index % 10);
  return id;
}

std::string ShardIdOf(uint32_t index) {
  const std::array<char, kShardIdLength> id = ShardIdText(index);
  return std::string(id.data(), id.size());
}

std::optional<uint32_t> ParseShardId(std::string_view shard_id) {
  constexpr std::string_view kPrefix = "shardId-";
  if (!shard_id.starts_with(kPrefix) || shard_id.size() != kPrefix.size() + 12) {
    return std::nullopt;
  }
  uint32_t index = 0;
  const char* begin = shard_id.data() + kPrefix.size();
  const char* end = shard_id.data() + shard_id.size();
  auto [stop, ec] = std::from_chars(begin, end, index);
  if (ec != std::errc() || stop != end) return std::nullopt;
  return index;
}

}  // namespace sluice::stream
