#include "storage/shard_writer.h"

#include <gtest/gtest.h>

#include <atomic>

#include "storage/gate.h"
#include "storage/log_test_base.h"

namespace sluice::storage {
namespace {

using Op = testutil::FaultEnv::Op;

class ShardWriterTest : public LogTestBase {
 protected:
  std::vector<OwnedRecord> AppendBatches(ShardLog& log, int batches, size_t data_bytes = 300) {
    std::vector<OwnedRecord> all;
    for (int batch = 0; batch < batches; ++batch) {
      auto records = MakeRecords(10, data_bytes, next_seed_++);
      Append(log, records);
      all.insert(all.end(), records.begin(), records.end());
    }
    return all;
  }

  uint64_t next_seed_ = 1;
};

TEST_F(ShardWriterTest, FailedSyncFailsTheAppendAndEverythingQueuedBehindIt) {
  auto log = OpenLog();
  auto acknowledged = AppendBatches(*log, 2);
  Gate gate(env_, Op::kSync);
  gate.Close();
  env_.FailSyncs(1);
  std::atomic<int> failed{0};
  std::vector<Error> errors(3);
  auto records = MakeRecords(4, 50, 100);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(log->AppendAsync(Inputs(records), [&, i](Result<AppendResult> result) {
      EXPECT_FALSE(result);
      if (!result) {
        errors[i] = result.error();
      }
      ++failed;
    }));
    if (i == 0) {
      ASSERT_TRUE(gate.WaitUntilBlocked());  // the first batch is in its sync
    }
  }
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return failed.load() == 3; }));
  for (const Error& error : errors) {
    EXPECT_EQ(error.code, ErrorCode::kUnavailable);
    EXPECT_NE(error.message.find("fdatasync"), std::string::npos) << error.message;
  }
  EXPECT_EQ(log->tail_position(), acknowledged.size());
  EXPECT_EQ(log->stats().rewinds, 1u);

  // The log stays writable; the failed positions are reused.
  auto after = MakeRecords(3, 20, 200);
  EXPECT_EQ(Append(*log, after).first_position, acknowledged.size());
  acknowledged.insert(acknowledged.end(), after.begin(), after.end());
  EXPECT_EQ(ReadAll(*log), acknowledged);
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(ReadAll(*log), acknowledged);
  EXPECT_TRUE(log->Verify());
}

TEST_F(ShardWriterTest, TornWriteRollsBackAndTheLogStaysWritable) {
  auto log = OpenLog();
  auto acknowledged = AppendBatches(*log, 3);
  env_.TearNextWrite(10, ".seg");
  auto records = MakeRecords(5, 100, 300);
  auto result = log->AppendBatch(Inputs(records));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  auto after = AppendBatches(*log, 2);
  EXPECT_EQ(after.front().position, acknowledged.size());
  acknowledged.insert(acknowledged.end(), after.begin(), after.end());
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(log->tail_position(), acknowledged.size());
  EXPECT_EQ(ReadAll(*log), acknowledged);
  EXPECT_TRUE(log->Verify());
}

TEST_F(ShardWriterTest, FullDiskFailsAppendsCleanlyAndRecoversWhenSpaceReturns) {
  auto log = OpenLog();
  auto acknowledged = AppendBatches(*log, 2);
  env_.SetSpaceLimit(env_.used_bytes() + 2000);
  std::optional<Error> failure;
  for (int attempt = 0; attempt < 50 && !failure; ++attempt) {
    auto records = MakeRecords(10, 300, 1000 + attempt);
    auto result = log->AppendBatch(Inputs(records));
    if (!result) {
      failure = result.error();
      break;
    }
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].position = result->first_position + i;
      records[i].arrival_ms = result->arrival_ms;
    }
    acknowledged.insert(acknowledged.end(), records.begin(), records.end());
  }
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code, ErrorCode::kResourceExhausted);
  EXPECT_NE(failure->message.find("No space left"), std::string::npos) << failure->message;
  // Consistent and still full.
  EXPECT_EQ(log->tail_position(), acknowledged.size());
  EXPECT_EQ(ReadAll(*log), acknowledged);
  auto again = log->AppendBatch(Inputs(MakeRecords(10, 300, 5000)));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kResourceExhausted);

  env_.SetSpaceLimit(std::nullopt);
  auto after = AppendBatches(*log, 4);
  EXPECT_EQ(after.front().position, acknowledged.size());
  acknowledged.insert(acknowledged.end(), after.begin(), after.end());
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(ReadAll(*log), acknowledged);
  EXPECT_TRUE(log->Verify());
}

TEST_F(ShardWriterTest, FullDiskWhileRollingLeavesTheOldSegmentActive) {
  auto log = OpenLog();
  auto acknowledged = AppendBatches(*log, 4);  // about 13.5 KiB of a 16 KiB segment
  ASSERT_EQ(SegmentBases().size(), 1u);
  env_.SetSpaceLimit(env_.used_bytes());
  auto result = log->AppendBatch(Inputs(MakeRecords(10, 300, 99)));  // needs a new segment
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(SegmentBases().size(), 1u);
  env_.SetSpaceLimit(std::nullopt);
  auto after = AppendBatches(*log, 1);
  EXPECT_EQ(SegmentBases(), (std::vector<uint64_t>{0, acknowledged.size()}));
  acknowledged.insert(acknowledged.end(), after.begin(), after.end());
  EXPECT_EQ(ReadAll(*log), acknowledged);
}

TEST_F(ShardWriterTest, RefusesAppendsWhileTooMuchWaitsForTheDisk) {
  ShardLogOptions options = SmallOptions();
  options.max_pending_bytes = 10'000;
  auto log = OpenLog(options);
  Gate gate(env_, Op::kSync);
  gate.Close();
  auto big = MakeRecords(1, 5000, 1);
  auto medium = MakeRecords(1, 4000, 2);
  std::atomic<int> done{0};
  auto count = [&](Result<AppendResult>) { ++done; };
  ASSERT_TRUE(log->AppendAsync(Inputs(big), count));
  ASSERT_TRUE(gate.WaitUntilBlocked());
  ASSERT_TRUE(log->AppendAsync(Inputs(medium), count));
  Status refused = log->AppendAsync(Inputs(medium), count);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 2; }));
  EXPECT_TRUE(log->AppendAsync(Inputs(medium), count));
}

TEST_F(ShardWriterTest, RetentionDeletesSegmentsOlderThanTheRetention) {
  auto log = OpenLog();
  int64_t start = clock_.now();
  std::vector<OwnedRecord> all;
  for (int hour = 0; hour < 21; ++hour) {
    auto records = AppendBatches(*log, 1);
    all.insert(all.end(), records.begin(), records.end());
    clock_.Advance(kHourMs);
  }
  size_t segments = log->segment_count();
  ASSERT_GT(segments, 4u);
  clock_.Set(start + 31 * kHourMs);  // records from before start + 7 h have expired
  ASSERT_TRUE(log->EnforceRetention());
  int64_t cutoff = start + 7 * kHourMs;
  uint64_t horizon = log->trim_horizon();
  EXPECT_GT(horizon, 0u);
  EXPECT_LT(log->segment_count(), segments);
  for (const OwnedRecord& record : all) {
    if (record.arrival_ms >= cutoff) {
      EXPECT_GE(record.position, horizon);  // nothing live went
    }
  }
  EXPECT_LT(all[horizon - 1].arrival_ms, cutoff);
  EXPECT_EQ(SegmentBases().front(), horizon);
  EXPECT_FALSE(mem_env_.FileExists(SegmentPath(0)));
  EXPECT_FALSE(mem_env_.FileExists(IndexPath(0)));
  // A read from before the horizon starts at it.
  EXPECT_EQ(ReadAll(*log, 0), std::vector<OwnedRecord>(all.begin() + horizon, all.end()));
  EXPECT_EQ(*log->FirstPositionAtOrAfter(0), horizon);
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(log->trim_horizon(), horizon);
}

TEST_F(ShardWriterTest, RetentionRollsAndDeletesAnIdleExpiredSegment) {
  auto log = OpenLog();
  auto all = AppendBatches(*log, 3);
  clock_.Advance(25 * kHourMs);
  ASSERT_TRUE(log->EnforceRetention());
  EXPECT_EQ(log->trim_horizon(), all.size());
  EXPECT_EQ(log->tail_position(), all.size());
  EXPECT_EQ(SegmentBases(), std::vector<uint64_t>{all.size()});
  auto more = MakeRecords(2, 10, 7);
  EXPECT_EQ(Append(*log, more).first_position, all.size());
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(log->trim_horizon(), all.size());
  EXPECT_EQ(log->tail_position(), all.size() + 2);
}

TEST_F(ShardWriterTest, RetentionKeepsRecordsYoungerThanTheRetention) {
  auto log = OpenLog();
  auto all = AppendBatches(*log, 12);
  clock_.Advance(23 * kHourMs);
  ASSERT_TRUE(log->EnforceRetention());
  EXPECT_EQ(log->trim_horizon(), 0u);
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(ShardWriterTest, RetentionByteCapDeletesTheOldestSegments) {
  auto log = OpenLog();
  auto all = AppendBatches(*log, 30);
  ASSERT_TRUE(log->SetRetention(kMinRetentionMs, 40 << 10));
  ASSERT_TRUE(log->EnforceRetention());
  uint64_t total = 0;
  for (uint64_t base : SegmentBases()) total += mem_env_.Contents(SegmentPath(base))->size();
  EXPECT_LE(total, uint64_t{40 << 10} + SmallOptions().segment_bytes);
  EXPECT_GT(log->trim_horizon(), 0u);
  EXPECT_EQ(ReadAll(*log), std::vector<OwnedRecord>(all.begin() + log->trim_horizon(), all.end()));
}

TEST_F(ShardWriterTest, SetRetentionAcceptsOnlyKinesisRange) {
  auto log = OpenLog();
  EXPECT_EQ(log->SetRetention(23 * kHourMs, 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(log->SetRetention(8761 * kHourMs, 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(log->SetRetention(8760 * kHourMs, 0));
}

TEST_F(ShardWriterTest, FlusherEnforcesRetentionOnItsOwn) {
  ShardLogOptions options = SmallOptions();
  options.retention_check_interval_ms = 1;
  auto log = OpenLog(options);
  auto all = AppendBatches(*log, 2);
  clock_.Advance(25 * kHourMs);
  EXPECT_TRUE(WaitFor([&] { return log->trim_horizon() == all.size(); }));
}

}  // namespace
}  // namespace sluice::storage
