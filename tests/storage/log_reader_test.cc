#include "storage/log_reader.h"

#include <gtest/gtest.h>

#include "storage/frame.h"
#include "storage/log_test_base.h"

namespace sluice::storage {
namespace {

class LogReaderTest : public LogTestBase {
 protected:
  // 10 batches of 10 records with 200-byte data: 100 records over several segments.
  std::vector<OwnedRecord> Fill(ShardLog& log) {
    std::vector<OwnedRecord> all;
    for (uint64_t batch = 0; batch < 10; ++batch) {
      auto records = MakeRecords(10, 200, batch);
      Append(log, records);
      all.insert(all.end(), records.begin(), records.end());
    }
    return all;
  }

  // Offset of the frame holding `position` in segment 0 (read back from the file).
  uint64_t FrameOffset(uint64_t position) {
    std::string bytes = *mem_env_.Contents(SegmentPath(0));
    uint64_t offset = kSegmentHeaderBytes;
    while (true) {
      DecodedFrame frame = DecodeFrame(std::string_view(bytes).substr(offset), true);
      if (frame.status != FrameStatus::kValid) return 0;
      if (frame.record.position == position) return offset;
      offset += frame.size;
    }
  }

  void FlipByte(const std::string& path, uint64_t offset) {
    std::string bytes = *mem_env_.Contents(path);
    bytes[offset] ^= 0x01;
    ASSERT_TRUE(mem_env_.SetContents(path, bytes));
  }
};

TEST_F(LogReaderTest, StopsAtTheRecordLimit) {
  auto log = OpenLog();
  auto all = Fill(*log);
  ReadBatch batch;
  ASSERT_TRUE(log->Read(13, ReadLimits{7, 1 << 20}, &batch));
  ASSERT_EQ(batch.records().size(), 7u);
  EXPECT_EQ(batch.records()[0].position, 13u);
  EXPECT_EQ(batch.next_position(), 20u);
}

TEST_F(LogReaderTest, StopsBeforeTheByteLimit) {
  auto log = OpenLog();
  auto all = Fill(*log);
  uint64_t per_record = all[0].partition_key.size() + all[0].explicit_hash_key.size() + 200;
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, ReadLimits{1000, 5 * per_record + 10}, &batch));
  EXPECT_EQ(batch.records().size(), 5u);
  EXPECT_LE(batch.payload_bytes(), 5 * per_record + 10);
}

TEST_F(LogReaderTest, ReturnsOneRecordLargerThanTheByteLimit) {
  auto log = OpenLog();
  Fill(*log);
  ReadBatch batch;
  ASSERT_TRUE(log->Read(50, ReadLimits{1000, 1}, &batch));
  ASSERT_EQ(batch.records().size(), 1u);
  EXPECT_EQ(batch.records()[0].position, 50u);
}

TEST_F(LogReaderTest, ACachedOnlyReadStopsWhereTheFileIsNotInMemory) {
  auto log = OpenLog();
  Fill(*log);
  const ReadLimits cached_only{1000, 1 << 20, ReadWait::kCachedOnly};
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, cached_only, &batch));
  EXPECT_EQ(batch.records().size(), 100u);
  EXPECT_FALSE(batch.needs_disk());

  env_.SetUncached(true);
  ASSERT_TRUE(log->Read(0, cached_only, &batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(batch.needs_disk());
  EXPECT_EQ(batch.next_position(), 0u);
  ASSERT_TRUE(log->Read(0, ReadLimits{1000, 1 << 20, ReadWait::kMayWait}, &batch));
  EXPECT_EQ(batch.records().size(), 100u);
  EXPECT_FALSE(batch.needs_disk());
}

TEST_F(LogReaderTest, ACachedOnlyReadGetsWhatTheTailStillHoldsFromMemory) {
  auto flusher = StartFlusherWithLog();
  ASSERT_NE(flusher, nullptr);
  auto log = ShardLog::Open(&env_, flusher.get(), kDir, SmallOptions());
  ASSERT_TRUE(log) << log.error().message;
  auto records = MakeRecords(3, 200, 10);
  Append(**log, records);  // logged: their segment block stays in the tail until it fills
  env_.SetUncached(true);
  ReadBatch batch;
  ASSERT_TRUE((*log)->Read(0, ReadLimits{1000, 1 << 20, ReadWait::kCachedOnly}, &batch));
  ASSERT_EQ(batch.records().size(), 3u);
  EXPECT_EQ(batch.records()[0].data, records[0].data);
  EXPECT_FALSE(batch.needs_disk());
}

TEST_F(LogReaderTest, ReturnsNothingAtOrPastTheTail) {
  auto log = OpenLog();
  Fill(*log);
  ReadBatch batch;
  ASSERT_TRUE(log->Read(100, {}, &batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.next_position(), 100u);
  ASSERT_TRUE(log->Read(1000, {}, &batch));
  EXPECT_TRUE(batch.empty());
}

TEST_F(LogReaderTest, ReusesABatchAcrossReads) {
  auto log = OpenLog();
  auto all = Fill(*log);
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, ReadLimits{10, 1 << 20}, &batch));
  ASSERT_TRUE(log->Read(40, ReadLimits{10, 1 << 20}, &batch));
  ASSERT_EQ(batch.records().size(), 10u);
  EXPECT_EQ(Own(batch.records()[0]), all[40]);
}

TEST_F(LogReaderTest, ReadsCorrectlyThroughShortReads) {
  auto log = OpenLog();
  auto all = Fill(*log);
  env_.SetShortReads(true);
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_EQ(ReadAll(*log, 0, ReadLimits{3, 1 << 20}), all);
  EXPECT_TRUE(log->Verify());
  ASSERT_TRUE(log->Close());
  log = OpenLog();  // recovery reads through short reads too
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(LogReaderTest, NeverReturnsACorruptRecord) {
  auto log = OpenLog();
  auto all = Fill(*log);
  uint64_t offset = FrameOffset(5);
  ASSERT_GT(offset, 0u);
  FlipByte(SegmentPath(0), offset + kFrameHeaderBytes + 20);  // inside record 5's body

  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, {}, &batch));  // records before the damage come back first
  ASSERT_EQ(batch.records().size(), 5u);
  EXPECT_EQ(batch.next_position(), 5u);
  Status status = log->Read(5, {}, &batch);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(status.error().message.find(SegmentFileName(0)), std::string::npos);
  EXPECT_NE(status.error().message.find("offset " + std::to_string(offset)), std::string::npos);
  EXPECT_EQ(status.error().message.find(kDir), std::string::npos);  // no paths
  // Reading past it works; Verify reports it.
  ASSERT_TRUE(log->Read(6, ReadLimits{1, 1 << 20}, &batch));
  EXPECT_EQ(Own(batch.records()[0]), all[6]);
  Status verify = log->Verify();
  ASSERT_FALSE(verify);
  EXPECT_EQ(verify.error().code, ErrorCode::kDataLoss);
}

TEST_F(LogReaderTest, ReportsACorruptHeaderOnTheWayToARecord) {
  auto log = OpenLog();
  Fill(*log);
  FlipByte(SegmentPath(0), FrameOffset(2) + 16);  // record 2's position field
  ReadBatch batch;
  Status status = log->Read(3, {}, &batch);  // the scan from the index passes record 2
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kDataLoss);
}

TEST_F(LogReaderTest, SeekTimeReportsCorruption) {
  auto log = OpenLog();
  int64_t start = clock_.now();
  auto first = MakeRecords(10, 100, 1);
  Append(*log, first);
  clock_.Advance(1000);
  auto second = MakeRecords(10, 100, 2);
  Append(*log, second);
  FlipByte(SegmentPath(0), FrameOffset(9) + kFrameHeaderBytes + 1);  // the last record before it
  auto found = log->SeekTime(start + 1);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace sluice::storage
