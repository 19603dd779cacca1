#include "http/kinesis_views.h"

#include <algorithm>
#include <charconv>

#include "common/base64.h"
#include "stream/sequence_number.h"

namespace sluice::http::kinesis_views {

namespace {

constexpr std::string_view kShardTokenTag = "sluice-shards-v1";
constexpr std::string_view kStreamTokenTag = "sluice-streams-v1";

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t bar = text.find('|', start);
    fields.push_back(text.substr(start, bar - start));
    if (bar == std::string_view::npos) return fields;
    start = bar + 1;
  }
}

tl::unexpected<Error> InvalidToken() {
  return Fail(ErrorCode::kInvalidArgument, "Invalid NextToken.");
}

}  // namespace

protocol::kinesis::StreamView ToStreamView(const stream::StreamInfo& info, std::string arn) {
  protocol::kinesis::StreamView view;
  view.name = info.name;
  view.arn = std::move(arn);
  view.status = std::string(stream::StreamStatusName(info.status));
  view.mode = std::string(stream::StreamModeName(info.mode));
  view.created_ms = info.created_ms;
  view.retention_hours = info.retention_hours;
  view.max_record_size_kib = info.max_record_size_kib;
  if (info.encryption_key_id) {
    view.encryption_type = "KMS";
    view.key_id = info.encryption_key_id;
  }
  view.open_shard_count = info.open_shard_count();
  return view;
}

protocol::kinesis::ShardView ToShardView(const stream::ShardInfo& shard) {
  protocol::kinesis::ShardView view;
  view.shard_id = stream::ShardIdOf(shard.index);
  if (shard.parent_index) view.parent_shard_id = stream::ShardIdOf(*shard.parent_index);
  if (shard.adjacent_parent_index) {
    view.adjacent_parent_shard_id = stream::ShardIdOf(*shard.adjacent_parent_index);
  }
  view.starting_hash_key = sluice::FormatHashKey(shard.range.start);
  view.ending_hash_key = sluice::FormatHashKey(shard.range.end);
  view.starting_sequence_number = stream::FormatSequenceNumber({shard.index, 0});
  if (shard.end_position) {
    // The last record's; a shard closed empty ends where it started.
    view.ending_sequence_number =
        stream::FormatSequenceNumber({shard.index, std::max<uint64_t>(*shard.end_position, 1) - 1});
  }
  return view;
}

std::vector<protocol::kinesis::ChildShardView> ToChildShardViews(
    const std::vector<stream::ShardInfo>& children) {
  std::vector<protocol::kinesis::ChildShardView> views;
  for (const stream::ShardInfo& child : children) {
    protocol::kinesis::ChildShardView view;
    view.shard_id = stream::ShardIdOf(child.index);
    for (const auto& parent : {child.parent_index, child.adjacent_parent_index}) {
      if (parent) view.parent_shards.push_back(stream::ShardIdOf(*parent));
    }
    view.starting_hash_key = sluice::FormatHashKey(child.range.start);
    view.ending_hash_key = sluice::FormatHashKey(child.range.end);
    views.push_back(std::move(view));
  }
  return views;
}

std::string EncodeShardPageToken(const ShardPageToken& token) {
  std::string text(kShardTokenTag);
  text += "|" + token.stream_name + "|" + token.last_shard_id + "|" +
          std::to_string(token.expires_at_ms);
  std::string encoded;
  Base64Encode(text, encoded);
  return encoded;
}

Result<ShardPageToken> DecodeShardPageToken(std::string_view text, int64_t now_ms) {
  const std::optional<std::string> decoded = Base64Decode(text);
  if (!decoded) return InvalidToken();
  const std::vector<std::string_view> fields = SplitFields(*decoded);
  if (fields.size() != 4 || fields[0] != kShardTokenTag) return InvalidToken();
  ShardPageToken token{std::string(fields[1]), std::string(fields[2]), 0};
  auto [end, ec] =
      std::from_chars(fields[3].data(), fields[3].data() + fields[3].size(), token.expires_at_ms);
  if (ec != std::errc() || end != fields[3].data() + fields[3].size()) return InvalidToken();
  if (now_ms > token.expires_at_ms) {
    return Fail(ErrorCode::kExpired,
                "The timestamp of the NextToken is older than 300 seconds. Request a new "
                "NextToken by calling ListShards without a NextToken.",
                "ExpiredNextTokenException");
  }
  return token;
}

std::string EncodeStreamPageToken(std::string_view last_stream_name) {
  std::string text(kStreamTokenTag);
  text += "|";
  text += last_stream_name;
  std::string encoded;
  Base64Encode(text, encoded);
  return encoded;
}

Result<std::string> DecodeStreamPageToken(std::string_view text) {
  const std::optional<std::string> decoded = Base64Decode(text);
  if (!decoded) return InvalidToken();
  const std::vector<std::string_view> fields = SplitFields(*decoded);
  if (fields.size() != 2 || fields[0] != kStreamTokenTag) return InvalidToken();
  return std::string(fields[1]);
}

}  // namespace sluice::http::kinesis_views
