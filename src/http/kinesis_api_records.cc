// KinesisApi: the record path (PutRecord, PutRecords, GetShardIterator, GetRecords) and
// the registration of every Kinesis operation.
#include <array>
#include <bit>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

#include "common/assert.h"
#include "http/kinesis_api.h"
#include "http/kinesis_views.h"
#include "protocol/kinesis_responses.h"
#include "stream/sequence_number.h"

namespace sluice::http {

namespace asio = boost::asio;
namespace pk = protocol::kinesis;

namespace {

using PutResult = Result<std::vector<stream::PutOutcome>>;
using ReadResult = Result<stream::ReadResult>;

// Waits, without blocking the I/O thread, for a StreamManager call that reports through a
// callback: `start(callback)` makes the call, and the callback (inline, or on a storage
// thread) posts the result back to the awaiting coroutine's executor. A coroutine, so that
// what `start` holds lives in its frame until the call is made.
template <typename T, typename Start>
asio::awaitable<T> AwaitCallback(Start start) {
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(T)>(
      [&start](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([shared](T result) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            (*shared)(std::move(result));
          });
        });
      },
      asio::use_awaitable);
}

// StreamManager::PutRecords, awaited. The entries' bytes belong to the caller's request,
// which outlives the await.
asio::awaitable<PutResult> AwaitPut(stream::StreamManager& streams, std::string name,
                                    std::vector<stream::PutEntry> entries) {
  return AwaitCallback<PutResult>(
      [&streams, name = std::move(name), entries = std::move(entries)](auto done) mutable {
        streams.PutRecords(name, std::move(entries), std::move(done));
      });
}

// Views of `entry`'s bytes, which the request keeps while the put runs.
Result<stream::PutEntry> ToEntry(const pk::PutRecordEntry& entry, size_t max_record_bytes) {
  stream::PutEntry out{entry.data, entry.partition_key, std::nullopt};
  if (entry.explicit_hash_key) {
    out.explicit_hash_key = sluice::ParseHashKey(*entry.explicit_hash_key);
    if (!out.explicit_hash_key) {
      return Fail(ErrorCode::kInvalidArgument,
                  "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                  "Specified value was " +
                      std::string(*entry.explicit_hash_key));
    }
  }
  if (out.data.size() + out.partition_key.size() > max_record_bytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "A record's data and partition key together must not exceed " +
                    std::to_string(max_record_bytes) + " bytes; this one has " +
                    std::to_string(out.data.size() + out.partition_key.size()));
  }
  return out;
}

Result<std::vector<stream::PutEntry>> ToEntries(const std::vector<pk::PutRecordEntry>& records,
                                                size_t max_record_bytes) {
  std::vector<stream::PutEntry> entries;
  entries.reserve(records.size());
  size_t total = 0;
  for (const pk::PutRecordEntry& record : records) {
    auto entry = ToEntry(record, max_record_bytes);
    if (!entry) return Fail(entry.error());
    total += entry->data.size() + entry->partition_key.size();
    entries.push_back(std::move(*entry));
  }
  if (total > pk::kMaxPutRecordsBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "Records size exceeds 10 MiB limit: the records of this PutRecords request "
                "have " +
                    std::to_string(total) + " bytes of data and partition keys");
  }
  return entries;
}

// The shard ids and sequence numbers of one response. A shard's id is made once, and its
// sequence numbers by its own SequenceNumberRun (a shard's records of a request are
// appended together, so most are the previous one's incremented), all in one buffer: no
// record gets a string of its own, and no shard an allocation (a 500-record request over
// 64 shards made 256 of them). Shards sit in a vector reserved for one per result (it
// never moves, so earlier views stay valid), found through an open-addressing table: a
// stream resharded many times has large indexes, and a response touches few of them.
class ResultTexts {
 public:
  explicit ResultTexts(size_t count) : slots_(std::bit_ceil(2 * count), kEmpty) {
    texts_.reserve(count * stream::kSequenceNumberLength);
    shards_.reserve(count);
  }

  // Valid as long as this object, for up to `count` results.
  pk::PutResultView ViewOf(const stream::PutOutcome& outcome) {
    Shard& shard = Find(outcome.shard_index);
    pk::PutResultView view;
    view.shard_id = std::string_view(shard.id.data(), shard.id.size());
    if (outcome.error) {
      view.error_code = outcome.error->wire_type;
      view.error_message = outcome.error->message;
      return view;
    }
    const size_t offset = texts_.size();
    SLUICE_ASSERT(offset + stream::kSequenceNumberLength <= texts_.capacity(),
                  "more sequence numbers than reserved: earlier views would move");
    texts_.append(shard.run.Next({outcome.shard_index, outcome.position}));
    view.sequence_number = std::string_view(texts_).substr(offset);
    return view;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Shard {
    uint32_t index;
    std::array<char, stream::kShardIdLength> id;
    stream::SequenceNumberRun run;
  };

  Shard& Find(uint32_t index) {
    const size_t mask = slots_.size() - 1;
    for (size_t slot = (index * size_t{0x9E3779B1}) & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == kEmpty) {
        SLUICE_ASSERT(shards_.size() < shards_.capacity(), "more shards than results");
        slots_[slot] = static_cast<uint32_t>(shards_.size());
        return shards_.emplace_back(Shard{index, stream::ShardIdText(index), {}});
      }
      if (shards_[slots_[slot]].index == index) return shards_[slots_[slot]];
    }
  }

  std::string texts_;
  std::vector<Shard> shards_;
  std::vector<uint32_t> slots_;  // indexes into shards_, kEmpty where free
};

std::string_view EncryptionType(bool encrypted) { return encrypted ? "KMS" : "NONE"; }

Result<stream::IteratorType> ToIteratorType(std::string_view type) {
  if (type == "AT_SEQUENCE_NUMBER") return stream::IteratorType::kAtSequenceNumber;
  if (type == "AFTER_SEQUENCE_NUMBER") return stream::IteratorType::kAfterSequenceNumber;
  if (type == "TRIM_HORIZON") return stream::IteratorType::kTrimHorizon;
  if (type == "LATEST") return stream::IteratorType::kLatest;
  return stream::IteratorType::kAtTimestamp;
}

}  // namespace

KinesisApi::Reply KinesisApi::PutRecord(const OperationCall& call) {
  auto request = pk::ParsePutRecord(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  auto settings = streams_.WriteSettingsOf(*name);
  if (!settings) co_return Fail(settings.error());
  const size_t max_bytes = settings->max_record_bytes;
  if (auto ok = pk::CheckRecordDataSizes({&request->record, 1}, max_bytes, false); !ok) {
    co_return Fail(ok.error());
  }
  auto entry = ToEntry(request->record, max_bytes);
  if (!entry) co_return Fail(entry.error());
  std::vector<stream::PutEntry> entries;
  entries.push_back(std::move(*entry));
  PutResult outcomes = co_await AwaitPut(streams_, *name, std::move(entries));
  if (!outcomes) co_return Fail(outcomes.error());
  const stream::PutOutcome& outcome = outcomes->front();
  if (outcome.error) co_return Fail(*outcome.error);
  ResultTexts texts(1);
  co_return pk::PutRecordResponse(texts.ViewOf(outcome), EncryptionType(settings->encrypted));
}

KinesisApi::Reply KinesisApi::PutRecords(const OperationCall& call) {
  auto request = pk::ParsePutRecords(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  auto settings = streams_.WriteSettingsOf(*name);
  if (!settings) co_return Fail(settings.error());
  if (auto ok = pk::CheckRecordDataSizes(request->records, settings->max_record_bytes, true); !ok) {
    co_return Fail(ok.error());
  }
  auto entries = ToEntries(request->records, settings->max_record_bytes);
  if (!entries) co_return Fail(entries.error());
  PutResult outcomes = co_await AwaitPut(streams_, *name, std::move(*entries));
  if (!outcomes) co_return Fail(outcomes.error());
  std::vector<pk::PutResultView> views;
  views.reserve(outcomes->size());
  ResultTexts texts(outcomes->size());
  for (const stream::PutOutcome& outcome : *outcomes) views.push_back(texts.ViewOf(outcome));
  co_return pk::PutRecordsResponse(views, EncryptionType(settings->encrypted));
}

KinesisApi::Reply KinesisApi::GetShardIterator(const OperationCall& call) {
  auto request = pk::ParseGetShardIterator(call.input);
  if (!request) co_return Fail(request.error());
  auto name = Resolve(request->stream);
  if (!name) co_return Fail(name.error());
  auto type = ToIteratorType(request->type);
  if (!type) co_return Fail(type.error());
  stream::IteratorRequest iterator{*type, request->starting_sequence_number, request->timestamp_ms};
  auto token = streams_.GetShardIterator(*name, request->shard_id, iterator);
  if (!token) co_return Fail(token.error());
  co_return pk::GetShardIteratorResponse(*token);
}

KinesisApi::Reply KinesisApi::GetRecords(const OperationCall& call) {
  auto request = pk::ParseGetRecords(call.input);
  if (!request) co_return Fail(request.error());
  const size_t limit = static_cast<size_t>(request->limit.value_or(pk::kMaxGetRecordsLimit));
  ReadResult read = co_await AwaitCallback<ReadResult>([this, &request, limit](auto done) {
    streams_.GetRecords(request->shard_iterator, limit, std::move(done));
  });
  if (!read) co_return Fail(read.error());
  auto records = read->batch.records();
  pk::GetRecordsResponseWriter writer(256 + read->batch.payload_bytes() * 4 / 3 +
                                      records.size() * 160);
  stream::SequenceNumberRun sequence_numbers;
  for (const storage::Record& record : records) {
    writer.Add(pk::RecordView{sequence_numbers.Next({read->shard_index, record.position}),
                              record.arrival_ms, record.partition_key, record.data, record.sealed});
  }
  co_return writer.Finish(read->next_iterator, read->millis_behind_latest,
                          kinesis_views::ToChildShardViews(read->children));
}

void KinesisApi::Register(Router& router) {
  constexpr std::string_view kPrefix = "Kinesis_20131202";
  auto add = [&](std::string name, Reply (KinesisApi::*handler)(const OperationCall&)) {
    router.AddOperation(kPrefix, std::move(name), [this, handler](const OperationCall& call) {
      return (this->*handler)(call);
    });
  };
  add("CreateStream", &KinesisApi::CreateStream);
  add("DeleteStream", &KinesisApi::DeleteStream);
  add("DescribeStream", &KinesisApi::DescribeStream);
  add("DescribeStreamSummary", &KinesisApi::DescribeStreamSummary);
  add("ListStreams", &KinesisApi::ListStreams);
  add("ListShards", &KinesisApi::ListShards);
  add("IncreaseStreamRetentionPeriod", &KinesisApi::IncreaseStreamRetentionPeriod);
  add("DecreaseStreamRetentionPeriod", &KinesisApi::DecreaseStreamRetentionPeriod);
  add("AddTagsToStream", &KinesisApi::AddTagsToStream);
  add("RemoveTagsFromStream", &KinesisApi::RemoveTagsFromStream);
  add("ListTagsForStream", &KinesisApi::ListTagsForStream);
  add("TagResource", &KinesisApi::TagResource);
  add("UntagResource", &KinesisApi::UntagResource);
  add("ListTagsForResource", &KinesisApi::ListTagsForResource);
  add("DescribeLimits", &KinesisApi::DescribeLimits);
  add("PutRecord", &KinesisApi::PutRecord);
  add("PutRecords", &KinesisApi::PutRecords);
  add("GetShardIterator", &KinesisApi::GetShardIterator);
  add("GetRecords", &KinesisApi::GetRecords);
  add("SplitShard", &KinesisApi::SplitShard);
  add("MergeShards", &KinesisApi::MergeShards);
  add("UpdateShardCount", &KinesisApi::UpdateShardCount);
  add("UpdateStreamMode", &KinesisApi::UpdateStreamMode);
  add("UpdateMaxRecordSize", &KinesisApi::UpdateMaxRecordSize);
  add("StartStreamEncryption", &KinesisApi::StartStreamEncryption);
  add("StopStreamEncryption", &KinesisApi::StopStreamEncryption);
}

}  // namespace sluice::http
