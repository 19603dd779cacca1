// KinesisApi: stream updates — resharding, capacity mode, the largest record size and
// encryption at rest.
#include "http/kinesis_api.h"
#include "protocol/kinesis_responses.h"

namespace sluice::http {

namespace pk = protocol::kinesis;

KinesisApi::Reply KinesisApi::SplitShard(const OperationCall& call) {
  auto request = pk::ParseSplitShard(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  // The model's pattern admits 39 digits, which can exceed 2^128 - 1.
  const std::optional<sluice::HashKey> key = sluice::ParseHashKey(request->new_starting_hash_key);
  if (!key) {
    co_return Fail(ErrorCode::kInvalidArgument,
                   "NewStartingHashKey " + request->new_starting_hash_key +
                       " is not in the range of hash keys: [0, 2^128-1].");
  }
  co_return EmptyReply(streams_.SplitShard(*name, request->shard_to_split, *key));
}

KinesisApi::Reply KinesisApi::MergeShards(const OperationCall& call) {
  auto request = pk::ParseMergeShards(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(
      streams_.MergeShards(*name, request->shard_to_merge, request->adjacent_shard_to_merge));
}

KinesisApi::Reply KinesisApi::UpdateShardCount(const OperationCall& call) {
  auto request = pk::ParseUpdateShardCount(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  const auto target = static_cast<uint32_t>(request->target_shard_count);
  auto current = streams_.UpdateShardCount(*name, target);
  if (!current) co_return Fail(current.error());
  co_return pk::UpdateShardCountResponse(*name, *current, target, streams_.StreamArn(*name));
}

KinesisApi::Reply KinesisApi::UpdateStreamMode(const OperationCall& call) {
  auto request = pk::ParseUpdateStreamMode(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(
      pk::StreamRef{pk::StreamNameOfArn(request->stream_arn).value_or(""), request->stream_arn});
  if (!name) co_return Fail(name.error());
  const stream::StreamMode mode = request->stream_mode == "ON_DEMAND"
                                      ? stream::StreamMode::kOnDemand
                                      : stream::StreamMode::kProvisioned;
  co_return EmptyReply(streams_.UpdateStreamMode(*name, mode));
}

KinesisApi::Reply KinesisApi::UpdateMaxRecordSize(const OperationCall& call) {
  auto request = pk::ParseUpdateMaxRecordSize(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  co_return EmptyReply(
      streams_.UpdateMaxRecordSize(*name, static_cast<uint32_t>(request->max_record_size_kib)));
}

// Start/StopStreamEncryption share one request shape; only KMS is an encryption type to
// start or stop.
Result<std::pair<std::string, pk::StreamEncryptionRequest>> KinesisApi::ReadEncryptionRequest(
    const OperationCall& call, std::string_view operation) const {
  auto request = pk::ParseStreamEncryption(call.input);
  if (!request) return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) return Fail(name.error());
  if (request->encryption_type != "KMS") {
    return Fail(ErrorCode::kInvalidArgument, "EncryptionType " + request->encryption_type +
                                                 " is not valid for " + std::string(operation) +
                                                 ": only KMS is.");
  }
  return std::make_pair(std::move(*name), std::move(*request));
}

KinesisApi::Reply KinesisApi::StartStreamEncryption(const OperationCall& call) {
  auto request = ReadEncryptionRequest(call, "StartStreamEncryption");
  if (!request) co_return Fail(request.error());
  co_return EmptyReply(streams_.StartStreamEncryption(request->first, request->second.key_id));
}

KinesisApi::Reply KinesisApi::StopStreamEncryption(const OperationCall& call) {
  auto request = ReadEncryptionRequest(call, "StopStreamEncryption");
  if (!request) co_return Fail(request.error());
  co_return EmptyReply(streams_.StopStreamEncryption(request->first));
}

}  // namespace sluice::http
