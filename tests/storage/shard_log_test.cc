#include "storage/shard_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/frame.h"
#include "storage/gate.h"
#include "storage/log_test_base.h"

namespace sluice::storage {
namespace {

using Op = testutil::FaultEnv::Op;

class ShardLogTest : public LogTestBase {};

TEST_F(ShardLogTest, NewLogIsEmpty) {
  auto log = OpenLog();
  EXPECT_EQ(log->tail_position(), 0u);
  EXPECT_EQ(log->trim_horizon(), 0u);
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, {}, &batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.next_position(), 0u);
  EXPECT_EQ(SegmentBases(), std::vector<uint64_t>{0});
}

TEST_F(ShardLogTest, AssignsConsecutivePositions) {
  auto log = OpenLog();
  auto first = MakeRecords(3, 10, 1);
  auto second = MakeRecords(5, 10, 2);
  EXPECT_EQ(Append(*log, first).first_position, 0u);
  AppendResult result = Append(*log, second);
  EXPECT_EQ(result.first_position, 3u);
  EXPECT_EQ(result.count, 5u);
  EXPECT_EQ(log->tail_position(), 8u);
}

TEST_F(ShardLogTest, ReadsBackWhatWasAppended) {
  auto log = OpenLog();
  std::vector<OwnedRecord> all;
  for (uint64_t batch = 0; batch < 20; ++batch) {
    auto records = MakeRecords(1 + batch % 7, 50 + batch * 13, batch);
    Append(*log, records);
    clock_.Advance(5);
    all.insert(all.end(), records.begin(), records.end());
  }
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_TRUE(log->Verify());
}

TEST_F(ShardLogTest, ReadContinuesAcrossSegments) {
  auto log = OpenLog();
  std::vector<OwnedRecord> all;
  for (uint64_t batch = 0; batch < 30; ++batch) {
    auto records = MakeRecords(10, 200, batch);
    Append(*log, records);
    all.insert(all.end(), records.begin(), records.end());
  }
  ASSERT_GE(log->segment_count(), 5u);
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_EQ(ReadAll(*log, 0, ReadLimits{7, 1 << 20}), all);
  EXPECT_EQ(ReadAll(*log, 123), std::vector<OwnedRecord>(all.begin() + 123, all.end()));
}

TEST_F(ShardLogTest, RollsToNewSegmentWhenFull) {
  auto log = OpenLog();
  std::vector<uint64_t> batch_starts;
  for (uint64_t batch = 0; batch < 12; ++batch) {
    auto records = MakeRecords(10, 500, batch);  // about 5.5 KiB per batch
    batch_starts.push_back(Append(*log, records).first_position);
  }
  std::vector<uint64_t> bases = SegmentBases();
  ASSERT_GE(bases.size(), 4u);
  for (uint64_t base : bases) {
    // A batch never spans segments: every segment starts with a batch.
    EXPECT_NE(std::find(batch_starts.begin(), batch_starts.end(), base), batch_starts.end());
  }
  for (size_t i = 0; i + 1 < bases.size(); ++i) {
    EXPECT_LE(mem_env_.Contents(SegmentPath(bases[i]))->size(), SmallOptions().segment_bytes);
  }
}

TEST_F(ShardLogTest, RollsToNewSegmentWhenOld) {
  ShardLogOptions options = SmallOptions();
  options.segment_max_age_ms = 60'000;
  auto log = OpenLog(options);
  auto first = MakeRecords(2, 10, 1);
  Append(*log, first);
  clock_.Advance(30'000);
  auto second = MakeRecords(2, 10, 2);
  Append(*log, second);
  EXPECT_EQ(SegmentBases().size(), 1u);
  clock_.Advance(31'000);
  auto third = MakeRecords(2, 10, 3);
  Append(*log, third);
  EXPECT_EQ(SegmentBases(), (std::vector<uint64_t>{0, 4}));
}

TEST_F(ShardLogTest, StoresTheLargestRecord) {
  auto log = OpenLog();
  std::vector<OwnedRecord> records(1);
  records[0].partition_key = std::string(kMaxPartitionKeyBytes, 'k');
  records[0].explicit_hash_key = std::string(kMaxExplicitHashKeyBytes, '9');
  records[0].data = std::string(kMaxRecordDataBytes, 'd');
  records[0].data[12345] = 'x';
  Append(*log, records);
  auto small = MakeRecords(3, 10, 9);
  Append(*log, small);
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, ReadLimits{100, 1}, &batch));
  ASSERT_EQ(batch.records().size(), 1u);
  EXPECT_EQ(Own(batch.records()[0]), records[0]);
  EXPECT_EQ(batch.next_position(), 1u);
}

TEST_F(ShardLogTest, RejectsRecordsOverTheLimits) {
  auto log = OpenLog();
  std::string big_key(kMaxPartitionKeyBytes + 1, 'k');
  std::string big_hash(kMaxExplicitHashKeyBytes + 1, '1');
  std::string big_data(kMaxRecordDataBytes + 1, 'd');
  for (RecordInput input : {RecordInput{big_key, "", "x"}, RecordInput{"k", big_hash, "x"},
                            RecordInput{"k", "", big_data}}) {
    auto result = log->AppendBatch(std::span(&input, 1));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  auto empty = log->AppendBatch({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(log->tail_position(), 0u);
}

TEST_F(ShardLogTest, SeekTimeFindsTheFirstRecordAtOrAfter) {
  auto log = OpenLog();
  int64_t start = clock_.now();
  for (uint64_t batch = 0; batch < 40; ++batch) {
    auto records = MakeRecords(5, 300, batch);
    Append(*log, records);  // positions 5b..5b+4 arrive at start + 1000 b
    clock_.Advance(1000);
  }
  ASSERT_GT(log->segment_count(), 3u);
  EXPECT_EQ(*log->SeekTime(0), 0u);
  EXPECT_EQ(*log->SeekTime(start), 0u);
  EXPECT_EQ(*log->SeekTime(start + 1), 5u);
  EXPECT_EQ(*log->SeekTime(start + 17'000), 85u);
  EXPECT_EQ(*log->SeekTime(start + 17'500), 90u);
  EXPECT_EQ(*log->SeekTime(start + 39'000), 195u);
  EXPECT_EQ(*log->SeekTime(start + 39'001), 200u);  // the tail
}

TEST_F(ShardLogTest, FirstPositionAtOrAfterClampsToStoredRange) {
  auto log = OpenLog();
  for (uint64_t batch = 0; batch < 10; ++batch) {
    auto records = MakeRecords(10, 400, batch);
    Append(*log, records);
  }
  for (uint64_t position : {0, 1, 37, 50, 99})
    EXPECT_EQ(*log->FirstPositionAtOrAfter(position), position);
  EXPECT_EQ(*log->FirstPositionAtOrAfter(100), 100u);
  EXPECT_EQ(*log->FirstPositionAtOrAfter(5000), 100u);
}

TEST_F(ShardLogTest, ReopenKeepsRecordsAndContinuesPositions) {
  std::vector<OwnedRecord> all;
  {
    auto log = OpenLog();
    for (uint64_t batch = 0; batch < 15; ++batch) {
      auto records = MakeRecords(8, 300, batch);
      Append(*log, records);
      all.insert(all.end(), records.begin(), records.end());
    }
    ASSERT_TRUE(log->Close());
  }
  auto log = OpenLog();
  EXPECT_EQ(log->tail_position(), all.size());
  auto more = MakeRecords(4, 10, 99);
  EXPECT_EQ(Append(*log, more).first_position, all.size());
  all.insert(all.end(), more.begin(), more.end());
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(ShardLogTest, AppendAsyncCompletesOnTheFlusherThread) {
  auto log = OpenLog();
  auto records = MakeRecords(4, 64, 1);
  std::atomic<bool> done{false};
  std::atomic<bool> on_flusher{false};
  Result<AppendResult> result;
  ASSERT_TRUE(log->AppendAsync(Inputs(records), [&](Result<AppendResult> r) {
    on_flusher = flusher_->OnFlusherThread();
    result = std::move(r);
    done = true;
  }));
  ASSERT_TRUE(WaitFor([&] { return done.load(); }));
  EXPECT_TRUE(on_flusher);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->first_position, 0u);
  EXPECT_EQ(result->count, 4u);
}

TEST_F(ShardLogTest, ConcurrentAppendsShareOneSync) {
  auto log = OpenLog();
  Gate gate(env_, Op::kSync);
  gate.Close();
  auto records = MakeRecords(1, 100, 1);
  std::atomic<int> done{0};
  const AppendCallback callback = CountSuccess(done);
  ASSERT_TRUE(log->AppendAsync(Inputs(records), callback));
  ASSERT_TRUE(gate.WaitUntilBlocked());  // the first batch is in its sync
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(log->AppendAsync(Inputs(records), callback));
  // The flusher writes the other 15 while the first sync runs; they wait for the next.
  uint64_t frame_bytes = RecordFrameSize(records[0].input());
  ASSERT_TRUE(WaitFor([&] { return log->stats().bytes_written == 16 * frame_bytes; }));
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 16; }));
  EXPECT_EQ(log->stats().syncs, 2u);  // one for the first batch, one for the other 15
  EXPECT_EQ(log->tail_position(), 16u);
}

TEST_F(ShardLogTest, ReadersSeeOnlyDurableRecords) {
  auto log = OpenLog();
  auto first = MakeRecords(3, 10, 1);
  Append(*log, first);
  Gate gate(env_, Op::kSync);
  gate.Close();
  auto second = MakeRecords(3, 10, 2);
  std::atomic<bool> done{false};
  ASSERT_TRUE(log->AppendAsync(Inputs(second), [&](Result<AppendResult>) { done = true; }));
  ASSERT_TRUE(gate.WaitUntilBlocked());  // written, not yet synced
  EXPECT_EQ(log->tail_position(), 3u);
  EXPECT_EQ(ReadAll(*log).size(), 3u);
  EXPECT_FALSE(done);
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return done.load(); }));
  EXPECT_EQ(log->tail_position(), 6u);
  EXPECT_EQ(ReadAll(*log).size(), 6u);
}

TEST_F(ShardLogTest, ReadersDoNotBlockWriters) {
  auto log = OpenLog();
  auto first = MakeRecords(3, 10, 1);
  Append(*log, first);
  Gate gate(env_, Op::kRead);
  gate.Close();
  std::thread reader([&] {
    ReadBatch batch;
    EXPECT_TRUE(log->Read(0, {}, &batch));
    EXPECT_EQ(batch.records().size(), 3u);
  });
  ASSERT_TRUE(gate.WaitUntilBlocked());  // the reader is inside a file read
  auto second = MakeRecords(3, 10, 2);
  EXPECT_EQ(Append(*log, second).first_position, 3u);
  gate.Open();
  reader.join();
}

TEST_F(ShardLogTest, AppendsToOneShardDoNotWaitForAnother) {
  auto slow = OpenLog();
  auto fast = ShardLog::Open(&env_, flusher_.get(), "/data/streams/1/shard-1", SmallOptions());
  ASSERT_TRUE(fast);
  Gate gate(env_, Op::kSync);
  gate.Close();
  auto records = MakeRecords(2, 10, 1);
  std::atomic<int> done{0};
  ASSERT_TRUE(slow->AppendAsync(Inputs(records), [&](Result<AppendResult>) { ++done; }));
  ASSERT_TRUE(gate.WaitUntilBlocked());
  // The other shard's append is accepted and encoded while the flusher is busy.
  ASSERT_TRUE((*fast)->AppendAsync(Inputs(records), [&](Result<AppendResult>) { ++done; }));
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 2; }));
  EXPECT_EQ((*fast)->tail_position(), 2u);
}

TEST_F(ShardLogTest, IntervalPolicyAcknowledgesBeforeSyncing) {
  ShardLogOptions options = SmallOptions();
  options.durability = DurabilityPolicy::kInterval;
  options.sync_interval_ms = 3'600'000;
  auto log = OpenLog(options);
  auto records = MakeRecords(5, 100, 1);
  Append(*log, records);
  EXPECT_EQ(log->tail_position(), 5u);
  EXPECT_EQ(log->stats().syncs, 0u);
  uint64_t syncs = env_.sync_count();
  ASSERT_TRUE(log->Close());
  EXPECT_GT(env_.sync_count(), syncs);  // closing syncs what the interval left
}

TEST_F(ShardLogTest, IntervalPolicySyncsOnItsOwn) {
  ShardLogOptions options = SmallOptions();
  options.durability = DurabilityPolicy::kInterval;
  options.sync_interval_ms = 1;
  auto log = OpenLog(options);
  auto records = MakeRecords(5, 100, 1);
  Append(*log, records);
  EXPECT_TRUE(WaitFor([&] { return log->stats().syncs >= 1; }));
}

TEST_F(ShardLogTest, IntervalPolicyRefusesAppendsAfterAFailedSync) {
  ShardLogOptions options = SmallOptions();
  options.durability = DurabilityPolicy::kInterval;
  options.sync_interval_ms = 1;
  auto log = OpenLog(options);
  env_.FailSyncs(1);
  auto records = MakeRecords(2, 10, 1);
  // Acknowledged data may have been lost with the failed sync: the log stops accepting.
  std::optional<Error> failure;
  EXPECT_TRUE(WaitFor([&] {
    auto result = log->AppendBatch(Inputs(records));
    if (!result) failure = result.error();
    return failure.has_value();
  }));
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code, ErrorCode::kUnavailable);
  auto again = log->AppendBatch(Inputs(records));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kUnavailable);
  uint64_t tail = log->tail_position();
  log.reset();
  log = OpenLog(options);  // reopening recovers
  EXPECT_GE(log->tail_position(), tail);
  EXPECT_TRUE(log->AppendBatch(Inputs(records)));
}

TEST_F(ShardLogTest, RejectsABatchLargerThanThePendingLimit) {
  ShardLogOptions options = SmallOptions();
  options.max_pending_bytes = 1000;
  auto log = OpenLog(options);
  auto records = MakeRecords(10, 200, 1);
  auto result = log->AppendBatch(Inputs(records));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ShardLogTest, NonePolicySyncsOnlyWhenSealingOrClosing) {
  ShardLogOptions options = SmallOptions();
  options.durability = DurabilityPolicy::kNone;
  auto log = OpenLog(options);
  std::vector<OwnedRecord> all;
  for (uint64_t batch = 0; batch < 10; ++batch) {
    auto records = MakeRecords(10, 400, batch);
    Append(*log, records);
    all.insert(all.end(), records.begin(), records.end());
  }
  EXPECT_GT(log->segment_count(), 1u);
  EXPECT_EQ(log->stats().syncs, 0u);
  ASSERT_TRUE(log->Close());
  log = OpenLog(options);
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(ShardLogTest, ArrivalTimesNeverDecrease) {
  auto log = OpenLog();
  auto first = MakeRecords(1, 10, 1);
  int64_t arrival = Append(*log, first).arrival_ms;
  clock_.Advance(-60'000);
  auto second = MakeRecords(1, 10, 2);
  EXPECT_EQ(Append(*log, second).arrival_ms, arrival);
}

TEST_F(ShardLogTest, ClosedLogRejectsAppendsButStillReads) {
  auto log = OpenLog();
  auto records = MakeRecords(2, 10, 1);
  Append(*log, records);
  ASSERT_TRUE(log->Close());
  auto result = log->AppendBatch(Inputs(records));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ReadAll(*log), records);
  EXPECT_TRUE(log->Close());  // idempotent
}

TEST_F(ShardLogTest, DestroyRemovesTheFolder) {
  {
    auto log = OpenLog();
    auto records = MakeRecords(2, 10, 1);
    Append(*log, records);
  }
  ASSERT_TRUE(ShardLog::Destroy(&env_, kDir));
  EXPECT_FALSE(mem_env_.ListDir(kDir));
}

TEST_F(ShardLogTest, RejectsInvalidOptions) {
  ShardLogOptions options = SmallOptions();
  options.retention_ms = kMinRetentionMs - 1;
  auto log = ShardLog::Open(&env_, flusher_.get(), kDir, options);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::storage
