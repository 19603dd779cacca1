#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "protocol/kinesis_responses.h"
#include "stream/stream_info.h"

// Conversions from the stream module's descriptions to the Kinesis response views, and
// the opaque paging tokens of ListStreams and ListShards.
namespace sluice::http::kinesis_views {

protocol::kinesis::StreamView ToStreamView(const stream::StreamInfo& info, std::string arn);
protocol::kinesis::ShardView ToShardView(const stream::ShardInfo& shard);
// GetRecords' ChildShards at the end of a closed shard.
std::vector<protocol::kinesis::ChildShardView> ToChildShardViews(
    const std::vector<stream::ShardInfo>& children);

// ListShards' NextToken: names the stream and the last shard listed; expires after 300 s
// (ExpiredNextTokenException), as Kinesis' tokens do.
struct ShardPageToken {
  std::string stream_name;
  std::string last_shard_id;
  int64_t expires_at_ms = 0;
};
std::string EncodeShardPageToken(const ShardPageToken& token);
[[nodiscard]] Result<ShardPageToken> DecodeShardPageToken(std::string_view text, int64_t now_ms);

// ListStreams' NextToken: the last stream name listed.
std::string EncodeStreamPageToken(std::string_view last_stream_name);
[[nodiscard]] Result<std::string> DecodeStreamPageToken(std::string_view text);

}  // namespace sluice::http::kinesis_views
