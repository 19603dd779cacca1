#include "sluice/producer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "aggregation/deaggregate.h"
#include "auth/credential_store.h"
#include "auth/sigv4_verifier.h"
#include "common/hash_key.h"
#include "fake_kinesis.h"
#include "producer_core.h"

namespace sluice::client {
namespace {

using std::chrono::milliseconds;
using testing::EvenShards;
using testing::FakeKinesis;
using testing::FakeRecord;
using testing::FakeShard;

constexpr std::string_view kKeyId = "AKIDTEST";
constexpr std::string_view kSecret = "test-secret-key";
constexpr std::string_view kThrottled = "ProvisionedThroughputExceededException";

ProducerConfig TestConfig(const FakeKinesis& fake) {
  ProducerConfig config;
  config.endpoint = fake.endpoint();
  config.region = "us-east-1";  // the verifier's, whatever the environment says
  config.credentials = Credentials{std::string(kKeyId), std::string(kSecret), ""};
  config.record_max_buffered_time_ms = 20;
  config.retry_base_delay_ms = 5;
  config.retry_max_delay_ms = 40;
  config.request_timeout_ms = 3000;
  config.record_ttl_ms = 10000;
  return config;
}

std::unique_ptr<Producer> MakeProducer(const ProducerConfig& config) {
  auto producer = Producer::Create(config);
  EXPECT_TRUE(producer) << producer.error().message;
  return producer ? std::move(*producer) : nullptr;
}

PutFuture MustPut(Producer& producer, std::string_view partition_key, std::string_view data,
                  std::optional<std::string_view> explicit_hash_key = {}) {
  auto future = producer.Put("trips", partition_key, data, explicit_hash_key);
  EXPECT_TRUE(future) << future.error().message;
  return future ? std::move(*future) : PutFuture();
}

// The user records the fake stored, de-aggregated, with the Kinesis record they came in.
struct Delivered {
  UserRecord user;
  testing::StoredRecord kinesis;
  size_t sub_sequence = 0;
  bool aggregated = false;
};

std::vector<Delivered> DeliveredRecords(const FakeKinesis& fake) {
  std::vector<Delivered> out;
  for (const testing::StoredRecord& stored : fake.Stored()) {
    const bool aggregated = IsAggregate(stored.record.data);
    auto users = Deaggregate(stored.record.data, stored.record.partition_key);
    EXPECT_TRUE(users) << users.error().message;
    if (!users) continue;
    for (size_t i = 0; i < users->size(); ++i) {
      out.push_back(Delivered{(*users)[i], stored, i, aggregated});
    }
  }
  return out;
}

HashKey KeyOf(const UserRecord& record) {
  if (record.explicit_hash_key) return *ParseHashKey(*record.explicit_hash_key);
  return HashKeyOf(record.partition_key);
}

std::string Data(int i) { return "record-" + std::to_string(i); }
std::string Key(int i) { return "key-" + std::to_string(i); }

TEST(ProducerTest, PutSucceedsWithShardAndSequenceNumber) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  auto producer = MakeProducer(config);
  PutFuture future = MustPut(*producer, "key-1", "hello");
  ASSERT_TRUE(future.wait_for(milliseconds(5000)));
  PutResult result = future.get();
  ASSERT_TRUE(result.succeeded);
  ASSERT_EQ(result.attempts.size(), 1u);
  EXPECT_TRUE(result.attempts[0].succeeded());
  EXPECT_LE(result.attempts[0].started, result.attempts[0].finished);
  EXPECT_FALSE(result.sub_sequence_number);
  auto stored = fake.Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].record.data, "hello");
  EXPECT_EQ(stored[0].record.partition_key, "key-1");
  EXPECT_EQ(result.shard_id, stored[0].shard_id);
  EXPECT_EQ(result.sequence_number, stored[0].sequence_number);
}

TEST(ProducerTest, InvalidRecordsAreRefusedAtPut) {
  FakeKinesis fake;
  auto producer = MakeProducer(TestConfig(fake));
  EXPECT_EQ(producer->Put("bad name!", "k", "d").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(producer->Put("trips", "", "d").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(producer->Put("trips", std::string(257, 'k'), "d").error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(producer->Put("trips", std::string(256, 'k'), "d"));
  EXPECT_EQ(producer->Put("trips", "k", "d", "12x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(producer->Put("trips", "k", std::string(1 << 20, 'x')).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(producer->Put("trips", "k", std::string((1 << 20) - 1, 'x')));
  EXPECT_TRUE(producer->FlushSync(milliseconds(10000)));
}

TEST(ProducerTest, CollectionRespectsMaxCount) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  config.collection_max_count = 10;
  config.rate_limit = 100000;
  auto producer = MakeProducer(config);
  std::vector<PutFuture> futures;
  for (int i = 0; i < 95; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  size_t total = 0;
  for (const auto& request : fake.Requests()) {
    EXPECT_LE(request.records.size(), 10u);
    total += request.records.size();
  }
  EXPECT_EQ(total, 95u);
  for (auto& future : futures) EXPECT_TRUE(future.succeeded());
}

TEST(ProducerTest, CollectionRespectsMaxSize) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  config.collection_max_size = 52224;  // the KPL's minimum
  config.rate_limit = 100000;
  auto producer = MakeProducer(config);
  const std::string data(5000, 'd');
  for (int i = 0; i < 60; ++i) MustPut(*producer, Key(i), data);
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  size_t total = 0;
  for (const auto& request : fake.Requests()) {
    size_t bytes = 0;
    for (const FakeRecord& record : request.records) {
      bytes += record.data.size() + record.partition_key.size();
    }
    EXPECT_LE(bytes, 52224u);
    total += request.records.size();
  }
  EXPECT_EQ(total, 60u);
  EXPECT_GE(fake.Requests().size(), 6u);
}

TEST(ProducerTest, AggregatesGroupUserRecordsByShard) {
  FakeKinesis fake(4);
  ProducerConfig config = TestConfig(fake);
  config.rate_limit = 100000;
  // Records wait for the shard map (FlushSync sends them then), however slow the build:
  // past their deadline they would go unpredicted, hence unaggregated.
  config.record_max_buffered_time_ms = 60000;
  auto producer = MakeProducer(config);
  const auto shards = EvenShards(4);
  std::vector<PutFuture> futures;
  for (int i = 0; i < 2000; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));

  std::map<std::string, int> seen;
  size_t aggregates = 0;
  for (const Delivered& delivered : DeliveredRecords(fake)) {
    ++seen[delivered.user.data];
    const FakeShard* owner = nullptr;
    for (const FakeShard& shard : shards) {
      if (shard.shard_id == delivered.kinesis.shard_id) owner = &shard;
    }
    ASSERT_NE(owner, nullptr);
    const HashKey key = KeyOf(delivered.user);
    EXPECT_TRUE(key >= owner->start && key <= owner->end) << delivered.user.partition_key;
    if (delivered.aggregated && delivered.sub_sequence == 0) {
      ++aggregates;
      // The aggregate's explicit hash key is its first record's key, in the shard's range.
      EXPECT_EQ(delivered.kinesis.record.explicit_hash_key, FormatHashKey(key));
      EXPECT_EQ(delivered.kinesis.record.partition_key, "a");
    }
  }
  EXPECT_EQ(seen.size(), 2000u);
  for (const auto& [data, count] : seen) EXPECT_EQ(count, 1) << data;
  EXPECT_GE(aggregates, 4u);
  EXPECT_LT(fake.Stored().size(), 100u);  // aggregated, not 2000 Kinesis records

  for (int i = 0; i < 2000; ++i) {
    PutResult result = futures[static_cast<size_t>(i)].get();
    ASSERT_TRUE(result.succeeded);
    const HashKey key = HashKeyOf(Key(i));
    for (const FakeShard& shard : shards) {
      if (key >= shard.start && key <= shard.end) {
        EXPECT_EQ(result.shard_id, shard.shard_id);
      }
    }
    ASSERT_TRUE(result.sub_sequence_number.has_value());
  }
  // Sub-sequence numbers index the user records inside their aggregate.
  std::map<std::string, std::set<uint64_t>> by_sequence;
  for (auto& future : futures) {
    PutResult result = future.get();
    EXPECT_TRUE(by_sequence[result.shard_id + "/" + result.sequence_number]
                    .insert(*result.sub_sequence_number)
                    .second);
  }
  for (const auto& [sequence, subs] : by_sequence) EXPECT_EQ(*subs.rbegin() + 1, subs.size());
}

TEST(ProducerTest, AggregatesRespectMaxCountAndSize) {
  FakeKinesis fake(1);
  ProducerConfig config = TestConfig(fake);
  config.aggregation_max_count = 7;
  config.aggregation_max_size = 1000;
  config.rate_limit = 100000;
  auto producer = MakeProducer(config);
  for (int i = 0; i < 300; ++i) MustPut(*producer, Key(i), Data(i));
  MustPut(*producer, "big", std::string(2000, 'b'));  // larger than any aggregate: alone
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  size_t users = 0;
  bool big_alone = false;
  for (const auto& stored : fake.Stored()) {
    auto records = Deaggregate(stored.record.data, stored.record.partition_key);
    ASSERT_TRUE(records);
    users += records->size();
    if (IsAggregate(stored.record.data)) {
      EXPECT_LE(records->size(), 7u);
      EXPECT_LE(stored.record.data.size() + stored.record.partition_key.size(), 1000u);
    } else if (stored.record.partition_key == "big") {
      big_alone = true;
    }
  }
  EXPECT_EQ(users, 301u);
  EXPECT_TRUE(big_alone);
}

TEST(ProducerTest, RetriesThrottledRecordsWithBackoffUntilSuccess) {
  FakeKinesis fake;
  std::mutex mutex;
  std::map<std::string, int> tries;
  fake.SetRecordErrors(
      [&](const FakeRecord& record) -> std::optional<std::pair<std::string, std::string>> {
        std::lock_guard lock(mutex);
        if (++tries[record.data] <= 2)
          return {{std::string(kThrottled), "Rate exceeded for shard"}};
        return std::nullopt;
      });
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  auto producer = MakeProducer(config);
  std::vector<PutFuture> futures;
  for (int i = 0; i < 20; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  for (auto& future : futures) {
    PutResult result = future.get();
    ASSERT_TRUE(result.succeeded);
    ASSERT_EQ(result.attempts.size(), 3u);
    EXPECT_EQ(result.attempts[0].error_code, kThrottled);
    EXPECT_EQ(result.attempts[0].error_message, "Rate exceeded for shard");
    EXPECT_EQ(result.attempts[1].error_code, kThrottled);
    EXPECT_TRUE(result.attempts[2].succeeded());
    EXPECT_LE(result.attempts[0].finished, result.attempts[1].started);
    EXPECT_LE(result.attempts[1].finished, result.attempts[2].started);
  }
  EXPECT_EQ(fake.Stored().size(), 20u);
  MetricsSnapshot metrics = producer->Metrics();
  ASSERT_EQ(metrics.streams.size(), 1u);
  EXPECT_EQ(metrics.streams[0].retries, 40u);
  EXPECT_EQ(metrics.streams[0].records_by_retries[2], 20u);
  EXPECT_EQ(metrics.streams[0].errors_by_code[std::string(kThrottled)], 40u);
}

TEST(ProducerTest, Retries500sAndLostConnections) {
  FakeKinesis fake;
  fake.FailRequests(2, 500, "InternalFailure");
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  auto producer = MakeProducer(config);
  PutFuture first = MustPut(*producer, "k1", "one");
  PutResult result = first.get();
  ASSERT_TRUE(result.succeeded);
  ASSERT_EQ(result.attempts.size(), 3u);
  EXPECT_EQ(result.attempts[0].error_code, "InternalFailure");
  EXPECT_EQ(result.attempts[1].error_code, "InternalFailure");

  // A new connection that drops, twice in a row (a reused one is retried at once).
  fake.DropConnections(3);
  PutFuture second = MustPut(*producer, "k2", "two");
  result = second.get();
  ASSERT_TRUE(result.succeeded);
  ASSERT_GE(result.attempts.size(), 2u);
  EXPECT_EQ(result.attempts[0].error_code, "ConnectionError");
  EXPECT_EQ(fake.Stored().size(), 2u);
}

TEST(ProducerTest, RetriesTimedOutRequests) {
  FakeKinesis fake;
  fake.SetDelay(milliseconds(400));
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  config.request_timeout_ms = 150;
  auto producer = MakeProducer(config);
  PutFuture future = MustPut(*producer, "k", "slow");
  std::this_thread::sleep_for(milliseconds(250));
  fake.SetDelay(milliseconds(0));
  PutResult result = future.get();
  ASSERT_TRUE(result.succeeded);
  ASSERT_GE(result.attempts.size(), 2u);
  EXPECT_EQ(result.attempts[0].error_code, "Timeout");
  EXPECT_GE(result.attempts[0].finished - result.attempts[0].started, milliseconds(140));
}

TEST(ProducerTest, RecordTtlExpiryFailsWithEveryAttemptListed) {
  FakeKinesis fake;
  fake.SetRecordErrors([](const FakeRecord&) -> std::optional<std::pair<std::string, std::string>> {
    return {{std::string(kThrottled), "Rate exceeded"}};
  });
  ProducerConfig config = TestConfig(fake);
  config.record_ttl_ms = 400;
  auto producer = MakeProducer(config);
  const auto start = std::chrono::steady_clock::now();
  PutFuture future = MustPut(*producer, "k", "doomed");
  PutResult result = future.get();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(result.succeeded);
  ASSERT_GE(result.attempts.size(), 3u);
  for (size_t i = 0; i + 1 < result.attempts.size(); ++i) {
    EXPECT_EQ(result.attempts[i].error_code, kThrottled) << i;
    if (i > 0) {
      EXPECT_LE(result.attempts[i - 1].finished, result.attempts[i].started);
    }
  }
  EXPECT_EQ(result.attempts.back().error_code, "Expired");
  EXPECT_GE(elapsed, milliseconds(390));
  EXPECT_LT(elapsed, milliseconds(3000));
  EXPECT_EQ(producer->Metrics().streams[0].user_records_failed, 1u);
}

TEST(ProducerTest, FailIfThrottledFailsAtOnce) {
  FakeKinesis fake;
  fake.SetRecordErrors([](const FakeRecord&) -> std::optional<std::pair<std::string, std::string>> {
    return {{std::string(kThrottled), "Rate exceeded"}};
  });
  ProducerConfig config = TestConfig(fake);
  config.fail_if_throttled = true;
  auto producer = MakeProducer(config);
  PutResult result = MustPut(*producer, "k", "v").get();
  EXPECT_FALSE(result.succeeded);
  ASSERT_EQ(result.attempts.size(), 1u);
  EXPECT_EQ(result.attempts[0].error_code, kThrottled);
}

TEST(ProducerTest, NonRetryableErrorsFailAtOnce) {
  FakeKinesis fake;
  fake.FailRequests(1, 400, "ResourceNotFoundException");
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  auto producer = MakeProducer(config);
  PutResult result = MustPut(*producer, "k", "v").get();
  EXPECT_FALSE(result.succeeded);
  ASSERT_EQ(result.attempts.size(), 1u);
  EXPECT_EQ(result.attempts[0].error_code, "ResourceNotFoundException");
  EXPECT_EQ(result.attempts[0].error_message, "injected failure");
}

TEST(ProducerTest, EachRecordGetsItsOwnResult) {
  FakeKinesis fake;
  fake.SetRecordErrors(
      [](const FakeRecord& record) -> std::optional<std::pair<std::string, std::string>> {
        if (record.data.starts_with("bad")) return {{"KMSAccessDeniedException", "no key for you"}};
        return std::nullopt;
      });
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  auto producer = MakeProducer(config);
  std::vector<std::pair<bool, PutFuture>> futures;
  for (int i = 0; i < 50; ++i) {
    const bool bad = i % 3 == 0;
    futures.emplace_back(bad, MustPut(*producer, Key(i), (bad ? "bad-" : "good-") + Data(i)));
  }
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  std::set<std::string> sequences;
  for (auto& [bad, future] : futures) {
    PutResult result = future.get();
    EXPECT_EQ(result.succeeded, !bad);
    ASSERT_EQ(result.attempts.size(), 1u);
    if (bad) {
      EXPECT_EQ(result.attempts[0].error_code, "KMSAccessDeniedException");
      EXPECT_TRUE(result.sequence_number.empty());
    } else {
      EXPECT_TRUE(sequences.insert(result.shard_id + "/" + result.sequence_number).second);
    }
  }
  EXPECT_EQ(fake.Stored().size(), 33u);
}

TEST(ProducerTest, FullBufferFailsFastWithThePolicyFail) {
  FakeKinesis fake;
  fake.SetDelay(milliseconds(300));
  ProducerConfig config = TestConfig(fake);
  config.max_outstanding_records = 5;
  config.buffer_full_policy = BufferFullPolicy::kFail;
  auto producer = MakeProducer(config);
  for (int i = 0; i < 5; ++i) MustPut(*producer, Key(i), Data(i));
  auto refused = producer->Put("trips", "k", "one too many");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(refused.error().message.find("buffer is full"), std::string::npos);
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  EXPECT_TRUE(producer->Put("trips", "k", "room again"));
  EXPECT_TRUE(producer->FlushSync(milliseconds(10000)));
}

TEST(ProducerTest, FullBufferBlocksUntilRoomWithThePolicyBlock) {
  FakeKinesis fake;
  fake.SetDelay(milliseconds(300));
  ProducerConfig config = TestConfig(fake);
  config.max_outstanding_records = 5;
  config.buffer_full_policy = BufferFullPolicy::kBlock;
  auto producer = MakeProducer(config);
  for (int i = 0; i < 5; ++i) MustPut(*producer, Key(i), Data(i));
  const auto start = std::chrono::steady_clock::now();
  PutFuture waited = MustPut(*producer, "k", "waited for room");
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(200));
  EXPECT_TRUE(waited.succeeded());
}

// Holds the producer's pipeline (its strand) in a completion callback until released, so
// that nothing takes the records Put() queues meanwhile.
class StalledPipeline {
 public:
  explicit StalledPipeline(Producer& producer) {
    std::shared_future<void> released = release_.get_future().share();
    MustPut(producer, "gate", "g").then([this, released](const PutResult&) {
      stalled_ = true;
      released.wait();
    });
    producer.Flush();
    for (int i = 0; i < 500 && !stalled_; ++i) std::this_thread::sleep_for(milliseconds(10));
    EXPECT_TRUE(stalled_);
  }
  ~StalledPipeline() { Release(); }
  void Release() {
    if (!released_) release_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> release_;
  bool released_ = false;
  std::atomic<bool> stalled_{false};
};

std::unique_ptr<Producer> MakeProducerWithPolicy(const FakeKinesis& fake, BufferFullPolicy policy) {
  ProducerConfig config = TestConfig(fake);
  config.buffer_full_policy = policy;
  return MakeProducer(config);
}

TEST(ProducerTest, PutWaitsWhileThePipelineLagsWithThePolicyBlock) {
  FakeKinesis fake;
  auto producer = MakeProducerWithPolicy(fake, BufferFullPolicy::kBlock);
  StalledPipeline stall(*producer);
  constexpr int kQueued = static_cast<int>(Producer::Core::kMaxIncoming);
  std::atomic<int> returned{0};
  std::thread putter([&] {
    for (int i = 0; i < 2 * kQueued; ++i) {
      MustPut(*producer, Key(i), Data(i));
      ++returned;
    }
  });
  std::this_thread::sleep_for(milliseconds(300));
  // The Put that queued the kQueued-th record waits for the pipeline to take them.
  EXPECT_EQ(returned.load(), kQueued - 1);
  stall.Release();
  putter.join();
  EXPECT_EQ(returned.load(), 2 * kQueued);
  EXPECT_TRUE(producer->FlushSync(milliseconds(20000)));
}

TEST(ProducerTest, PutNeverWaitsForThePipelineWithThePolicyFail) {
  FakeKinesis fake;
  auto producer = MakeProducerWithPolicy(fake, BufferFullPolicy::kFail);
  StalledPipeline stall(*producer);
  const int records = 3 * static_cast<int>(Producer::Core::kMaxIncoming);
  for (int i = 0; i < records; ++i) MustPut(*producer, Key(i), Data(i));
  stall.Release();
  EXPECT_TRUE(producer->FlushSync(milliseconds(20000)));
  EXPECT_EQ(DeliveredRecords(fake).size(), static_cast<size_t>(records) + 1);
}

TEST(ProducerTest, FlushSyncSendsAndWaitsForEverything) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.record_max_buffered_time_ms = 60000;  // nothing would go out by itself
  auto producer = MakeProducer(config);
  std::vector<PutFuture> futures;
  for (int i = 0; i < 100; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_TRUE(fake.Requests().empty());
  EXPECT_EQ(producer->OutstandingRecords(), 100u);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  EXPECT_EQ(producer->OutstandingRecords(), 0u);
  for (auto& future : futures) EXPECT_TRUE(future.ready());
  EXPECT_EQ(DeliveredRecords(fake).size(), 100u);
}

TEST(ProducerTest, FlushSyncDeliversARunOfManyDrainSlices) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.record_max_buffered_time_ms = 60000;
  config.rate_limit = 100000;
  auto producer = MakeProducer(config);
  // Put() queues faster than the pipeline takes them: the take is routed in slices.
  constexpr int kRecords = 3 * static_cast<int>(Producer::Core::kDrainSlice) + 7;
  std::vector<PutFuture> futures;
  for (int i = 0; i < kRecords; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  ASSERT_TRUE(producer->FlushSync(milliseconds(20000)));
  for (auto& future : futures) ASSERT_TRUE(future.ready() && future.get().succeeded);
  std::set<std::string> keys;
  for (const Delivered& delivered : DeliveredRecords(fake))
    keys.insert(delivered.user.partition_key);
  EXPECT_EQ(keys.size(), static_cast<size_t>(kRecords));
}

TEST(ProducerTest, FlushSendsWithoutWaitingForTheDeadline) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.record_max_buffered_time_ms = 60000;
  auto producer = MakeProducer(config);
  PutFuture future = MustPut(*producer, "k", "v");
  producer->Flush();
  EXPECT_TRUE(future.wait_for(milliseconds(5000)));
  EXPECT_TRUE(future.succeeded());
}

TEST(ProducerTest, ThenRunsTheCallbackOnCompletionOrAtOnce) {
  FakeKinesis fake;
  auto producer = MakeProducer(TestConfig(fake));
  std::atomic<int> called{0};
  std::atomic<bool> succeeded{false};
  PutFuture future = MustPut(*producer, "k", "v");
  EXPECT_TRUE(future.then([&](const PutResult& result) {
    succeeded = result.succeeded;
    ++called;
  }));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  for (int i = 0; i < 100 && called == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(called, 1);
  EXPECT_TRUE(succeeded);
  bool inline_call = false;
  future.then([&](const PutResult& result) { inline_call = result.succeeded; });
  EXPECT_TRUE(inline_call);
}

TEST(ProducerTest, CallbacksMayPutWithoutBlocking) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.max_outstanding_records = 1;  // a Put in the callback finds the buffer full
  auto producer = MakeProducer(config);
  std::atomic<int> refused{-1};
  PutFuture future = MustPut(*producer, "k", "v");
  std::atomic<bool> done{false};
  future.then([&](const PutResult&) {
    // The completing record is already released, so this one fits; the next does not.
    auto first = producer->Put("trips", "k2", "from callback");
    auto second = producer->Put("trips", "k3", "from callback");
    refused = (first && !second && second.error().code == ErrorCode::kResourceExhausted) ? 1 : 0;
    done = true;
  });
  for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(refused, 1);
  EXPECT_TRUE(producer->FlushSync(milliseconds(10000)));
}

TEST(ProducerTest, SignsEveryRequestVerifiably) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.credentials = Credentials{std::string(kKeyId), std::string(kSecret), "session-token"};
  auto producer = MakeProducer(config);
  for (int i = 0; i < 10; ++i) MustPut(*producer, Key(i), Data(i));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  auth::CredentialStore store({{std::string(kKeyId), std::string(kSecret)}});
  auth::SigV4Verifier verifier(store, "us-east-1");
  std::vector<testing::FakeRequest> requests = fake.Requests("");
  ASSERT_GE(requests.size(), 2u);  // ListShards and PutRecords
  std::set<std::string> targets;
  for (const auto& request : requests) {
    targets.insert(request.target);
    std::vector<std::pair<std::string_view, std::string_view>> headers(request.headers.begin(),
                                                                       request.headers.end());
    bool token = false;
    for (const auto& [name, value] : request.headers) {
      if (name == "X-Amz-Security-Token") token = value == "session-token";
    }
    EXPECT_TRUE(token);
    auto verified = verifier.Verify(auth::ReceivedRequest{"POST", "/", headers, request.body},
                                    "kinesis", std::chrono::system_clock::now());
    EXPECT_TRUE(verified) << request.target << ": " << verified.error().message;
  }
  EXPECT_TRUE(targets.contains("Kinesis_20131202.ListShards"));
  EXPECT_TRUE(targets.contains("Kinesis_20131202.PutRecords"));
}

// The environment is process-wide: these tests set and restore it.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::initializer_list<std::pair<const char*, std::string>> values) {
    for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                             "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"}) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      unsetenv(name);
    }
    for (const auto& [name, value] : values) setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

std::string AuthorizationOf(const testing::FakeRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name == "Authorization") return value;
  }
  return "";
}

TEST(ProducerTest, CredentialsFromTheEnvironment) {
  FakeKinesis fake;
  ScopedEnvironment env({{"AWS_ACCESS_KEY_ID", "AKIDFROMENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
  ProducerConfig config = TestConfig(fake);
  config.credentials.reset();
  auto producer = MakeProducer(config);
  EXPECT_TRUE(MustPut(*producer, "k", "v").succeeded());
  auto requests = fake.Requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_NE(AuthorizationOf(requests[0]).find("Credential=AKIDFROMENV/"), std::string::npos);
}

TEST(ProducerTest, CredentialsFromASharedFileProfile) {
  FakeKinesis fake;
  const std::string path = ::testing::TempDir() + "/producer-credentials";
  std::ofstream(path) << "[default]\naws_access_key_id = AKIDDEFAULT\n"
                         "aws_secret_access_key = d\n[ci]\naws_access_key_id = AKIDCI\n"
                         "aws_secret_access_key = c\n";
  ScopedEnvironment env({{"AWS_SHARED_CREDENTIALS_FILE", path}, {"AWS_PROFILE", "ci"}});
  ProducerConfig config = TestConfig(fake);
  config.credentials.reset();
  auto producer = MakeProducer(config);
  EXPECT_TRUE(MustPut(*producer, "k", "v").succeeded());
  EXPECT_NE(AuthorizationOf(fake.Requests()[0]).find("Credential=AKIDCI/"), std::string::npos);

  ScopedEnvironment none({});
  ProducerConfig missing = TestConfig(fake);
  missing.credentials.reset();
  missing.profile = "nope";
  EXPECT_FALSE(Producer::Create(missing));
  missing.sign_requests = false;  // a sluice server running open needs none
  EXPECT_TRUE(Producer::Create(missing));
}

TEST(ProducerTest, RefreshesTheShardMapAfterAReshard) {
  FakeKinesis fake(2);
  ProducerConfig config = TestConfig(fake);
  config.rate_limit = 100000;
  auto producer = MakeProducer(config);
  for (int i = 0; i < 200; ++i) MustPut(*producer, Key(i), Data(i));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  ASSERT_EQ(fake.Requests("ListShards").size(), 1u);

  // Shard 0 splits into 2 and 3.
  std::vector<FakeShard> shards = EvenShards(2);
  shards[0].open = false;
  const HashKey middle = shards[0].start + (shards[0].end - shards[0].start) / 2;
  shards.push_back(FakeShard{"shardId-000000000002", shards[0].start, middle, true});
  shards.push_back(FakeShard{"shardId-000000000003", middle + 1, shards[0].end, true});
  fake.SetShards(shards);
  std::this_thread::sleep_for(milliseconds(1100));  // past the map's refresh interval

  std::vector<PutFuture> futures;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i) {
      futures.push_back(MustPut(*producer, Key(i), Data(1000 * (round + 1) + i)));
    }
    ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_GE(fake.Requests("ListShards").size(), 2u);
  for (auto& future : futures) {
    PutResult result = future.get();
    EXPECT_TRUE(result.succeeded);
    EXPECT_NE(result.shard_id, "shardId-000000000000");
  }
  // The last round went by the new map: aggregates sit within one open shard.
  for (const Delivered& delivered : DeliveredRecords(fake)) {
    if (delivered.user.data.rfind("record-3", 0) != 0) continue;
    const HashKey key = KeyOf(delivered.user);
    bool inside = false;
    for (const FakeShard& shard : shards) {
      if (shard.shard_id == delivered.kinesis.shard_id) {
        inside = key >= shard.start && key <= shard.end;
      }
    }
    EXPECT_TRUE(inside) << delivered.kinesis.shard_id;
  }
}

TEST(ProducerTest, FollowsListShardsPages) {
  FakeKinesis fake(8);
  fake.SetListShardsPageSize(3);
  ProducerConfig config = TestConfig(fake);
  config.rate_limit = 100000;
  config.record_max_buffered_time_ms = 60000;  // as above: wait for the map
  auto producer = MakeProducer(config);
  std::vector<PutFuture> futures;
  for (int i = 0; i < 400; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  EXPECT_EQ(fake.Requests("ListShards").size(), 3u);
  std::set<std::string> shards;
  for (auto& future : futures) {
    PutResult result = future.get();
    ASSERT_TRUE(result.succeeded);
    ASSERT_TRUE(result.sub_sequence_number.has_value());  // predicted, so aggregated
    shards.insert(result.shard_id);
  }
  EXPECT_EQ(shards.size(), 8u);
}

TEST(ProducerTest, RateLimitSpreadsAShardsRecordsOverTime) {
  FakeKinesis fake(1);
  ProducerConfig config = TestConfig(fake);
  config.aggregation_enabled = false;
  config.rate_limit = 10;  // 100 records/s for the one shard, a second's worth up front
  auto producer = MakeProducer(config);
  MustPut(*producer, "warm", "up");  // the map is loaded before the clock starts
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  std::this_thread::sleep_for(milliseconds(1000));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 150; ++i) MustPut(*producer, Key(i), Data(i));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(400));
  EXPECT_LT(elapsed, milliseconds(3000));
  EXPECT_EQ(fake.Stored().size(), 151u);
}

TEST(ProducerTest, ListShardsFailureStillDeliversRecords) {
  FakeKinesis fake;
  fake.FailListShards(std::make_pair(400u, std::string("AccessDeniedException")));
  auto producer = MakeProducer(TestConfig(fake));
  std::vector<PutFuture> futures;
  for (int i = 0; i < 20; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  for (auto& future : futures) EXPECT_TRUE(future.succeeded());
  EXPECT_EQ(fake.Stored().size(), 20u);  // each alone: no map, no aggregation
}

TEST(ProducerTest, CompressedRecordsDecompressAfterDeaggregation) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.compression = Compression::kZstd;
  auto producer = MakeProducer(config);
  std::string payload;
  for (int i = 0; i < 100; ++i) payload += "{\"vendor\":1,\"fare\":12.50},";
  for (int i = 0; i < 50; ++i) MustPut(*producer, Key(i), payload + std::to_string(i));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  std::set<std::string> restored;
  for (const Delivered& delivered : DeliveredRecords(fake)) {
    EXPECT_TRUE(IsCompressedRecord(delivered.user.data));
    EXPECT_LT(delivered.user.data.size(), payload.size() / 4);
    auto original = DecompressRecord(delivered.user.data);
    ASSERT_TRUE(original) << original.error().message;
    restored.insert(*original);
  }
  EXPECT_EQ(restored.size(), 50u);
  EXPECT_TRUE(restored.contains(payload + "7"));
}

TEST(ProducerTest, MetricsCountPerStreamAndShard) {
  FakeKinesis fake(2);
  ProducerConfig config = TestConfig(fake);
  config.rate_limit = 100000;
  auto producer = MakeProducer(config);
  for (int i = 0; i < 500; ++i) MustPut(*producer, Key(i), Data(i));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  MetricsSnapshot metrics = producer->Metrics();
  ASSERT_EQ(metrics.streams.size(), 1u);
  const StreamMetrics& stream = metrics.streams[0];
  EXPECT_EQ(stream.stream, "trips");
  EXPECT_EQ(stream.user_records_received, 500u);
  EXPECT_EQ(stream.user_records_put, 500u);
  EXPECT_EQ(stream.user_records_pending, 0u);
  EXPECT_EQ(stream.user_records_failed, 0u);
  EXPECT_EQ(stream.kinesis_records_put, fake.Stored().size());
  EXPECT_GT(stream.put_records_requests, 0u);
  EXPECT_EQ(stream.request_latency.count, stream.put_records_requests);
  EXPECT_EQ(stream.buffering_time.count, 500u);
  uint64_t per_shard = 0;
  for (const ShardMetrics& shard : stream.shards) per_shard += shard.user_records_put;
  EXPECT_EQ(per_shard, 500u);
  EXPECT_EQ(stream.shards.size(), 2u);
  EXPECT_EQ(metrics.outstanding_records, 0u);
  const std::string text = RenderPrometheus(metrics);
  EXPECT_NE(text.find("sluice_producer_user_records_put_total{stream=\"trips\",shard=\"shardId-"),
            std::string::npos);
}

TEST(ProducerTest, DestroyingTheProducerFailsWhatIsOutstanding) {
  FakeKinesis fake;
  fake.SetDelay(milliseconds(2000));
  PutFuture future;
  {
    auto producer = MakeProducer(TestConfig(fake));
    future = MustPut(*producer, "k", "never acknowledged");
    producer->Flush();
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_TRUE(future.ready());
  PutResult result = future.get();
  EXPECT_FALSE(result.succeeded);
  ASSERT_FALSE(result.attempts.empty());
  EXPECT_EQ(result.attempts.back().error_code, "Shutdown");
}

TEST(ProducerTest, ReusesKeepAliveConnections) {
  FakeKinesis fake;
  ProducerConfig config = TestConfig(fake);
  config.max_connections = 2;
  auto producer = MakeProducer(config);
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 10; ++i) MustPut(*producer, Key(i), Data(i));
    ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  }
  EXPECT_GE(fake.Requests().size(), 10u);
  EXPECT_LE(fake.connections_accepted(), 3u);  // ListShards may open one more
}

class ProducerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A folder of its own: ctest runs this fixture's tests side by side, and a certificate
    // rewritten under the server by another test fails the handshake.
    std::string pattern = ::testing::TempDir() + "/producer-tls-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    files_ = testing::MakeSelfSignedCertificate(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  FakeKinesis::TlsFiles files_;
};

TEST_F(ProducerTlsTest, HttpsWithTheServersCertificateTrusted) {
  FakeKinesis fake(4, files_);
  ProducerConfig config = TestConfig(fake);
  config.ca_file = files_.certificate_pem;
  auto producer = MakeProducer(config);
  EXPECT_EQ(fake.endpoint().substr(0, 8), "https://");
  std::vector<PutFuture> futures;
  for (int i = 0; i < 50; ++i) futures.push_back(MustPut(*producer, Key(i), Data(i)));
  ASSERT_TRUE(producer->FlushSync(milliseconds(10000)));
  for (auto& future : futures) EXPECT_TRUE(future.succeeded());
  EXPECT_EQ(DeliveredRecords(fake).size(), 50u);
}

TEST_F(ProducerTlsTest, HttpsRefusesAnUntrustedCertificate) {
  FakeKinesis fake(4, files_);
  ProducerConfig config = TestConfig(fake);  // the system store does not know the fake
  config.record_ttl_ms = 300;
  auto producer = MakeProducer(config);
  PutResult result = MustPut(*producer, "k", "v").get();
  EXPECT_FALSE(result.succeeded);
  ASSERT_GE(result.attempts.size(), 2u);
  EXPECT_EQ(result.attempts[0].error_code, "ConnectionError");
  EXPECT_NE(result.attempts[0].error_message.find("TLS handshake"), std::string::npos);
  EXPECT_TRUE(fake.Stored().empty());
}

TEST_F(ProducerTlsTest, HttpsWithoutVerificationWhenDisabled) {
  FakeKinesis fake(4, files_);
  ProducerConfig config = TestConfig(fake);
  config.verify_certificate = false;
  auto producer = MakeProducer(config);
  EXPECT_TRUE(MustPut(*producer, "k", "v").succeeded());
}

}  // namespace
}  // namespace sluice::client
