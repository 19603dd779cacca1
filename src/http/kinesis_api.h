#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "http/operation.h"
#include "http/router.h"
#include "protocol/kinesis_requests.h"
#include "stream/stream_manager.h"

namespace sluice::http {

// The Kinesis Data Streams operations (Kinesis_20131202.*): one handler per operation,
// each parsing its request (protocol/kinesis_requests.h), calling the StreamManager and
// writing the response (protocol/kinesis_responses.h). Control-plane handlers are in
// kinesis_api_streams.cc, resharding, capacity and encryption settings in kinesis_api_capacity.cc,
// the record path in kinesis_api_records.cc. Borrows the
// manager, which must outlive the router the handlers are registered with.
class KinesisApi {
 public:
  explicit KinesisApi(stream::StreamManager& streams) : streams_(streams) {}

  void Register(Router& router);

 private:
  using Reply = boost::asio::awaitable<Result<std::string>>;

  Reply CreateStream(const OperationCall& call);
  Reply DeleteStream(const OperationCall& call);
  Reply DescribeStream(const OperationCall& call);
  Reply DescribeStreamSummary(const OperationCall& call);
  Reply ListStreams(const OperationCall& call);
  Reply ListShards(const OperationCall& call);
  Reply IncreaseStreamRetentionPeriod(const OperationCall& call);
  Reply DecreaseStreamRetentionPeriod(const OperationCall& call);
  Reply AddTagsToStream(const OperationCall& call);
  Reply RemoveTagsFromStream(const OperationCall& call);
  Reply ListTagsForStream(const OperationCall& call);
  Reply TagResource(const OperationCall& call);
  Reply UntagResource(const OperationCall& call);
  Reply ListTagsForResource(const OperationCall& call);
  Reply DescribeLimits(const OperationCall& call);

  Reply PutRecord(const OperationCall& call);
  Reply PutRecords(const OperationCall& call);
  Reply GetShardIterator(const OperationCall& call);
  Reply GetRecords(const OperationCall& call);

  Reply SplitShard(const OperationCall& call);
  Reply MergeShards(const OperationCall& call);
  Reply UpdateShardCount(const OperationCall& call);
  Reply UpdateStreamMode(const OperationCall& call);
  Reply UpdateMaxRecordSize(const OperationCall& call);
  Reply StartStreamEncryption(const OperationCall& call);
  Reply StopStreamEncryption(const OperationCall& call);

  // The stream a request names; an ARN of another region or account names no stream here.
  Result<std::string> Resolve(const protocol::kinesis::StreamRef& ref) const;
  // The stream and request of Start/StopStreamEncryption (`operation`).
  Result<std::pair<std::string, protocol::kinesis::StreamEncryptionRequest>> ReadEncryptionRequest(
      const OperationCall& call, std::string_view operation) const;
  // {} for a successful call, its error otherwise.
  static Result<std::string> EmptyReply(const Status& status);

  stream::StreamManager& streams_;
};

}  // namespace sluice::http
