// KinesisApi: stream lifecycle, listing, retention, tags and limits.
#include <algorithm>

#include "http/kinesis_api.h"
#include "http/kinesis_views.h"
#include "protocol/kinesis_responses.h"

namespace sluice::http {

namespace pk = protocol::kinesis;
using kinesis_views::ToShardView;
using kinesis_views::ToStreamView;

namespace {

constexpr size_t kDescribeStreamMaxShards = 100;
constexpr size_t kListStreamsMaxStreams = 100;
constexpr size_t kListShardsMaxShards = 1000;
constexpr size_t kListTagsMaxTags = 50;
constexpr int64_t kPageTokenLifetimeMs = 300'000;

size_t PageSize(const std::optional<int64_t>& requested, size_t maximum) {
  return requested ? std::min(static_cast<size_t>(*requested), maximum) : maximum;
}

// Shards after `exclusive_start` (by shard id), if given.
std::vector<stream::ShardInfo> ShardsAfter(const std::vector<stream::ShardInfo>& shards,
                                           const std::optional<std::string>& exclusive_start) {
  std::vector<stream::ShardInfo> out;
  for (const stream::ShardInfo& shard : shards) {
    if (!exclusive_start || stream::ShardIdOf(shard.index) > *exclusive_start) out.push_back(shard);
  }
  return out;
}

// A shard none of whose parents is still listed: it was open at the trim horizon.
bool IsRoot(const stream::ShardInfo& shard, const std::vector<stream::ShardInfo>& shards) {
  return std::none_of(shards.begin(), shards.end(), [&](const stream::ShardInfo& other) {
    return other.index == shard.parent_index || other.index == shard.adjacent_parent_index;
  });
}

// ShardFilter: AT_LATEST the open shards; AT_TRIM_HORIZON those open at the trim horizon;
// FROM_TRIM_HORIZON all; AT_TIMESTAMP those open at the time; FROM_TIMESTAMP those open at
// the time or created after it; AFTER_SHARD_ID those after the id.
Result<std::vector<stream::ShardInfo>> FilterShards(const std::vector<stream::ShardInfo>& shards,
                                                    const pk::ShardFilter& filter) {
  const std::string& type = filter.type;
  if (type == "AFTER_SHARD_ID") {
    if (!filter.shard_id) {
      return Fail(ErrorCode::kInvalidArgument,
                  "ShardFilter of type AFTER_SHARD_ID requires a ShardId.");
    }
    return ShardsAfter(shards, filter.shard_id);
  }
  const bool at_time = type == "AT_TIMESTAMP";
  if ((at_time || type == "FROM_TIMESTAMP") && !filter.timestamp_ms) {
    return Fail(ErrorCode::kInvalidArgument,
                "ShardFilter of type " + type + " requires a Timestamp.");
  }
  std::vector<stream::ShardInfo> out;
  for (const stream::ShardInfo& shard : shards) {
    const std::optional<int64_t> closed = stream::ClosedAtMs(shards, shard.index);
    bool keep = true;
    if (type == "AT_LATEST") keep = !closed && shard.open();
    if (type == "AT_TRIM_HORIZON") keep = IsRoot(shard, shards);
    if (at_time) {
      keep = (IsRoot(shard, shards) || shard.created_ms <= *filter.timestamp_ms) &&
             (!closed || *closed > *filter.timestamp_ms);
    }
    if (type == "FROM_TIMESTAMP") keep = !closed || *closed >= *filter.timestamp_ms;
    if (keep) out.push_back(shard);
  }
  return out;
}

}  // namespace

Result<std::string> KinesisApi::EmptyReply(const Status& status) {
  if (!status) return Fail(status.error());
  return pk::EmptyResponse();
}

Result<std::string> KinesisApi::Resolve(const pk::StreamRef& ref) const {
  if (ref.arn) {
    const std::string expected = streams_.StreamArn(ref.name);
    if (*ref.arn != expected) {
      return Fail(ErrorCode::kNotFound, "Stream " + ref.name + " under account " +
                                            streams_.options().account_id + " not found.");
    }
  }
  return ref.name;
}

KinesisApi::Reply KinesisApi::CreateStream(const OperationCall& call) {
  auto request = pk::ParseCreateStream(call.input);
  if (!request) co_return Fail(request.error());
  stream::CreateStreamParams params;
  params.name = request->name;
  params.mode = request->stream_mode == "ON_DEMAND" ? stream::StreamMode::kOnDemand
                                                    : stream::StreamMode::kProvisioned;
  if (request->shard_count) params.shard_count = static_cast<uint32_t>(*request->shard_count);
  params.tags = request->tags;
  if (request->max_record_size_kib) {
    params.max_record_size_kib = static_cast<uint32_t>(*request->max_record_size_kib);
  }
  co_return EmptyReply(streams_.CreateStream(params));
}

KinesisApi::Reply KinesisApi::DeleteStream(const OperationCall& call) {
  auto request = pk::ParseDeleteStream(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(streams_.DeleteStream(*name));
}

KinesisApi::Reply KinesisApi::DescribeStream(const OperationCall& call) {
  auto request = pk::ParseDescribeStream(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  auto info = streams_.Describe(*name);
  if (!info) co_return Fail(info.error());
  std::vector<stream::ShardInfo> shards =
      ShardsAfter(info->shards, request->exclusive_start_shard_id);
  const size_t page = PageSize(request->limit, kDescribeStreamMaxShards);
  const bool has_more = shards.size() > page;
  if (has_more) shards.resize(page);
  std::vector<pk::ShardView> views;
  for (const stream::ShardInfo& shard : shards) views.push_back(ToShardView(shard));
  co_return pk::DescribeStreamResponse(ToStreamView(*info, streams_.StreamArn(*name)), views,
                                       has_more);
}

KinesisApi::Reply KinesisApi::DescribeStreamSummary(const OperationCall& call) {
  auto ref = pk::ParseStreamOnly(call.input);
  if (!ref) co_return Fail(ref.error());
  auto name = Resolve(*ref);
  if (!name) co_return Fail(name.error());
  auto info = streams_.Describe(*name);
  if (!info) co_return Fail(info.error());
  co_return pk::DescribeStreamSummaryResponse(ToStreamView(*info, streams_.StreamArn(*name)));
}

KinesisApi::Reply KinesisApi::ListStreams(const OperationCall& call) {
  auto request = pk::ParseListStreams(call.input);
  if (!request) co_return Fail(request.error());
  std::optional<std::string> after = request->exclusive_start_stream_name;
  if (request->next_token) {
    auto last = kinesis_views::DecodeStreamPageToken(*request->next_token);
    if (!last) co_return Fail(last.error());
    after = *last;
  }
  std::vector<pk::StreamView> views;
  for (const stream::StreamInfo& info : streams_.List()) {
    if (after && info.name <= *after) continue;
    views.push_back(ToStreamView(info, streams_.StreamArn(info.name)));
  }
  const size_t page = PageSize(request->limit, kListStreamsMaxStreams);
  const bool has_more = views.size() > page;
  if (has_more) views.resize(page);
  std::optional<std::string> next_token;
  if (has_more) next_token = kinesis_views::EncodeStreamPageToken(views.back().name);
  co_return pk::ListStreamsResponse(views, has_more, next_token);
}

KinesisApi::Reply KinesisApi::ListShards(const OperationCall& call) {
  auto request = pk::ParseListShards(call.input);
  if (!request) co_return Fail(request.error());
  std::optional<std::string> after = request->exclusive_start_shard_id;
  std::string name;
  if (request->next_token) {
    if (request->stream) {
      co_return Fail(ErrorCode::kInvalidArgument,
                     "NextToken and StreamName cannot be provided together.");
    }
    auto token = kinesis_views::DecodeShardPageToken(*request->next_token, streams_.NowMs());
    if (!token) co_return Fail(token.error());
    name = token->stream_name;
    after = token->last_shard_id;
  } else {
    if (!request->stream) {
      co_return Fail(ErrorCode::kInvalidArgument,
                     "Either NextToken or StreamName should be provided.");
    }
    auto resolved = Resolve(*request->stream);
    if (!resolved) co_return Fail(resolved.error());
    name = *resolved;
  }
  auto info = streams_.Describe(name);
  if (!info) co_return Fail(info.error());
  auto shards = request->shard_filter ? FilterShards(info->shards, *request->shard_filter)
                                      : Result<std::vector<stream::ShardInfo>>(info->shards);
  if (!shards) co_return Fail(shards.error());
  std::vector<stream::ShardInfo> page_shards = ShardsAfter(*shards, after);
  const size_t page = PageSize(request->max_results, kListShardsMaxShards);
  std::optional<std::string> next_token;
  if (page_shards.size() > page) {
    page_shards.resize(page);
    next_token =
        kinesis_views::EncodeShardPageToken({name, stream::ShardIdOf(page_shards.back().index),
                                             streams_.NowMs() + kPageTokenLifetimeMs});
  }
  std::vector<pk::ShardView> views;
  for (const stream::ShardInfo& shard : page_shards) views.push_back(ToShardView(shard));
  co_return pk::ListShardsResponse(views, next_token);
}

KinesisApi::Reply KinesisApi::IncreaseStreamRetentionPeriod(const OperationCall& call) {
  auto request = pk::ParseRetention(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(streams_.IncreaseRetention(*name, request->hours));
}

KinesisApi::Reply KinesisApi::DecreaseStreamRetentionPeriod(const OperationCall& call) {
  auto request = pk::ParseRetention(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(streams_.DecreaseRetention(*name, request->hours));
}

KinesisApi::Reply KinesisApi::AddTagsToStream(const OperationCall& call) {
  auto request = pk::ParseAddTagsToStream(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(streams_.AddTags(*name, request->tags));
}

KinesisApi::Reply KinesisApi::RemoveTagsFromStream(const OperationCall& call) {
  auto request = pk::ParseRemoveTagsFromStream(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(streams_.RemoveTags(*name, request->keys));
}

KinesisApi::Reply KinesisApi::ListTagsForStream(const OperationCall& call) {
  auto request = pk::ParseListTagsForStream(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  auto info = streams_.Describe(*name);
  if (!info) co_return Fail(info.error());
  std::map<std::string, std::string> page;
  const size_t limit = PageSize(request->limit, kListTagsMaxTags);
  bool has_more = false;
  for (const auto& [key, value] : info->tags) {
    if (request->exclusive_start_tag_key && key <= *request->exclusive_start_tag_key) continue;
    if (page.size() == limit) {
      has_more = true;
      break;
    }
    page.emplace(key, value);
  }
  co_return pk::ListTagsForStreamResponse(page, has_more);
}

KinesisApi::Reply KinesisApi::TagResource(const OperationCall& call) {
  auto request = pk::ParseTagResource(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(streams_.AddTags(*name, request->tags));
}

KinesisApi::Reply KinesisApi::UntagResource(const OperationCall& call) {
  auto request = pk::ParseUntagResource(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(streams_.RemoveTags(*name, request->keys));
}

KinesisApi::Reply KinesisApi::ListTagsForResource(const OperationCall& call) {
  auto ref = pk::ParseListTagsForResource(call.input);
  if (!ref) co_return Fail(ref.error());
  auto name = Resolve(*ref);
  if (!name) co_return Fail(name.error());
  auto info = streams_.Describe(*name);
  if (!info) co_return Fail(info.error());
  co_return pk::ListTagsForResourceResponse(info->tags);
}

KinesisApi::Reply KinesisApi::DescribeLimits(const OperationCall&) {
  const stream::AccountLimits limits = streams_.Limits();
  co_return pk::DescribeLimitsResponse(limits.shard_limit, limits.open_shard_count,
                                       limits.on_demand_stream_count,
                                       limits.on_demand_stream_limit);
}

}  // namespace sluice::http
