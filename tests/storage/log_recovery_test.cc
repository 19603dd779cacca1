#include "storage/log_recovery.h"

#include <gtest/gtest.h>

#include <random>

#include "common/crc32c.h"
#include "storage/byte_order.h"
#include "storage/frame.h"
#include "storage/gate.h"
#include "storage/log_test_base.h"

namespace sluice::storage {
namespace {

using Op = testutil::FaultEnv::Op;

class LogRecoveryTest : public LogTestBase {
 protected:
  // Appends `batches` batches of 10 records with `data_bytes` of data (sealed under
  // `key` if set) and closes the log.
  std::vector<OwnedRecord> FillAndClose(int batches, size_t data_bytes = 300,
                                        std::optional<SealKey> key = std::nullopt) {
    auto log = OpenLog();
    EXPECT_TRUE(log->SetSealKey(key));
    std::vector<OwnedRecord> all;
    for (int batch = 0; batch < batches; ++batch) {
      auto records = MakeRecords(10, data_bytes, static_cast<uint64_t>(batch));
      Append(*log, records);
      all.insert(all.end(), records.begin(), records.end());
    }
    EXPECT_TRUE(log->Close());
    return all;
  }

  // End of the whole, valid frames of a segment file.
  uint64_t ValidEnd(uint64_t base) {
    std::string bytes = *mem_env_.Contents(SegmentPath(base));
    uint64_t offset = kSegmentHeaderBytes;
    while (offset < bytes.size()) {
      DecodedFrame frame = DecodeFrame(std::string_view(bytes).substr(offset), true);
      if (frame.status != FrameStatus::kValid) break;
      offset += frame.size;
    }
    return offset;
  }

  std::string Frame(uint64_t position, const std::string& data) {
    RecordInput input{"key", "", data};
    std::string bytes(RecordFrameSize(input), '\0');
    EncodeRecordFrame(position, clock_.now(), input, bytes.data());
    return bytes;
  }

  uint32_t FormatVersion(uint64_t base) {
    auto header = DecodeSegmentHeader(*mem_env_.Contents(SegmentPath(base)));
    return header ? header->format_version : 0;
  }

  void SetFormatVersion(uint64_t base, uint32_t version) {
    std::string bytes = *mem_env_.Contents(SegmentPath(base));
    auto header = DecodeSegmentHeader(bytes);
    ASSERT_TRUE(header);
    header->format_version = version;
    EncodeSegmentHeader(*header, bytes.data());
    ASSERT_TRUE(mem_env_.SetContents(SegmentPath(base), bytes));
  }

  // Appends batches (sealed under `key` if set) until the process dies in the fdatasync
  // of one more; power loss then keeps, drops or tears what was not synced. Every
  // acknowledged record must survive it; of the last batch, only whole records. With
  // `write_ahead_log`, the flusher makes appends durable through one (replayed before
  // the log reopens).
  void SurvivePowerLoss(std::optional<SealKey> key, bool write_ahead_log = false);

  // A flusher for SurvivePowerLoss: the fixture's, or one with a write-ahead log.
  Flusher* StartFlusher(bool write_ahead_log) {
    if (!write_ahead_log) return flusher_.get();
    logged_flusher_.reset();
    logged_flusher_ = StartFlusherWithLog(WriteAheadLogOptions{32 << 10, 8 << 10});
    return logged_flusher_.get();
  }

  std::unique_ptr<Flusher> logged_flusher_;

  void Overwrite(const std::string& path, uint64_t offset, const std::string& bytes) {
    std::string contents = *mem_env_.Contents(path);
    if (contents.size() < offset + bytes.size()) contents.resize(offset + bytes.size());
    contents.replace(offset, bytes.size(), bytes);
    ASSERT_TRUE(mem_env_.SetContents(path, contents));
  }
};

TEST_F(LogRecoveryTest, TruncatesATornTail) {
  auto all = FillAndClose(3);
  uint64_t last = SegmentBases().back();
  uint64_t end = ValidEnd(last);
  std::string frame = Frame(all.size(), std::string(500, 'z'));
  Overwrite(SegmentPath(last), end, frame.substr(0, frame.size() / 2));

  auto log = OpenLog();
  EXPECT_EQ(log->tail_position(), all.size());
  EXPECT_EQ(mem_env_.Contents(SegmentPath(last))->size(), end);
  EXPECT_EQ(ReadAll(*log), all);
  auto more = MakeRecords(3, 10, 77);
  Append(*log, more);
  all.insert(all.end(), more.begin(), more.end());
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(LogRecoveryTest, TruncatesAWholeFrameWithABadChecksumAtTheTail) {
  auto all = FillAndClose(2);
  uint64_t last = SegmentBases().back();
  uint64_t end = ValidEnd(last);
  std::string frame = Frame(all.size(), "written but not synced");
  frame.back() ^= 0x55;
  Overwrite(SegmentPath(last), end, frame + Frame(all.size() + 1, "after it"));

  auto log = OpenLog();
  EXPECT_EQ(log->tail_position(), all.size());
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_TRUE(log->damage().empty());
}

TEST_F(LogRecoveryTest, TruncatesAValidFrameOutOfSequenceAtTheTail) {
  auto all = FillAndClose(2);
  uint64_t last = SegmentBases().back();
  uint64_t end = ValidEnd(last);
  Overwrite(SegmentPath(last), end, Frame(all.size() + 5, "a stale frame"));

  auto log = OpenLog();
  EXPECT_EQ(log->tail_position(), all.size());
  EXPECT_EQ(mem_env_.Contents(SegmentPath(last))->size(), end);
  auto more = MakeRecords(3, 10, 77);
  Append(*log, more);
  all.insert(all.end(), more.begin(), more.end());
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(LogRecoveryTest, TruncatesATornSealedFrameAtTheTail) {
  auto all = FillAndClose(3, 300, TestKey(1, 1));
  uint64_t last = SegmentBases().back();
  uint64_t end = ValidEnd(last);
  std::string data(500, 'z');
  std::vector<RecordInput> inputs(4, RecordInput{"key", "", data});
  std::string frame = SealedFrame(TestKey(1, 1), all.size(), clock_.now(), inputs);
  Overwrite(SegmentPath(last), end, frame.substr(0, frame.size() / 2));

  auto log = OpenLog();
  EXPECT_EQ(log->tail_position(), all.size());
  EXPECT_EQ(mem_env_.Contents(SegmentPath(last))->size(), end);
  EXPECT_EQ(ReadAll(*log), all);
  ASSERT_TRUE(log->SetSealKey(TestKey(2, 2)));
  auto more = MakeRecords(3, 10, 77);
  Append(*log, more);
  all.insert(all.end(), more.begin(), more.end());
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_TRUE(log->Verify());
}

TEST_F(LogRecoveryTest, KeepsEveryAcknowledgedRecordThroughPowerLoss) {
  SurvivePowerLoss(std::nullopt);
}

TEST_F(LogRecoveryTest, KeepsEveryAcknowledgedSealedRecordThroughPowerLoss) {
  SurvivePowerLoss(TestKey(2, 2));
}

TEST_F(LogRecoveryTest, KeepsEveryAcknowledgedRecordThroughPowerLossWithTheWriteAheadLog) {
  SurvivePowerLoss(std::nullopt, true);
}

TEST_F(LogRecoveryTest, KeepsEveryAcknowledgedSealedRecordThroughPowerLossWithTheWriteAheadLog) {
  SurvivePowerLoss(TestKey(2, 2), true);
}

void LogRecoveryTest::SurvivePowerLoss(std::optional<SealKey> key, bool write_ahead_log) {
  std::mt19937_64 random(20240601);
  for (int round = 0; round < 40; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::string dir = "/data/power/" + std::to_string(round);
    std::vector<OwnedRecord> acknowledged;
    std::vector<OwnedRecord> in_flight;
    Flusher* flusher = StartFlusher(write_ahead_log);
    ASSERT_NE(flusher, nullptr);
    {
      auto log = ShardLog::Open(&env_, flusher, dir, SmallOptions());
      ASSERT_TRUE(log);
      ASSERT_TRUE((*log)->SetSealKey(key));
      int batches = 1 + static_cast<int>(random() % 12);
      for (int batch = 0; batch < batches; ++batch) {
        auto records = MakeRecords(1 + random() % 20, random() % 700, random());
        Append(**log, records);
        acknowledged.insert(acknowledged.end(), records.begin(), records.end());
      }
      // One more batch gets written but the process dies in its fdatasync (of its
      // segment, or of the write-ahead log).
      Gate gate(env_, Op::kSync, write_ahead_log ? "" : ".seg");
      gate.Close();
      in_flight = MakeRecords(1 + random() % 40, random() % 700, random());
      std::atomic<bool> done{false};
      ASSERT_TRUE((*log)->AppendAsync(Inputs(in_flight), [&](Result<AppendResult> result) {
        EXPECT_FALSE(result);
        done = true;
      }));
      ASSERT_TRUE(gate.WaitUntilBlocked());
      env_.Freeze();
      gate.Open();
      ASSERT_TRUE(WaitFor([&] { return done.load(); }));
    }
    if (write_ahead_log) logged_flusher_.reset();  // the process is gone
    env_.SimulatePowerLoss(random());

    flusher = StartFlusher(write_ahead_log);
    ASSERT_NE(flusher, nullptr);
    auto log = ShardLog::Open(&env_, flusher, dir, SmallOptions());
    ASSERT_TRUE(log) << log.error().message;
    EXPECT_TRUE((*log)->damage().empty());
    EXPECT_TRUE((*log)->Verify());
    std::vector<OwnedRecord> stored = ReadAll(**log);
    ASSERT_GE(stored.size(), acknowledged.size());
    ASSERT_LE(stored.size(), acknowledged.size() + in_flight.size());
    for (size_t i = 0; i < acknowledged.size(); ++i) ASSERT_EQ(stored[i], acknowledged[i]);
    for (size_t i = acknowledged.size(); i < stored.size(); ++i) {
      // What survives of the unacknowledged batch is intact.
      OwnedRecord expected = in_flight[i - acknowledged.size()];
      EXPECT_EQ(stored[i].data, expected.data);
      EXPECT_EQ(stored[i].partition_key, expected.partition_key);
    }
    auto more = MakeRecords(2, 10, 5);
    auto appended = (*log)->AppendBatch(Inputs(more));
    ASSERT_TRUE(appended);
    EXPECT_EQ(appended->first_position, stored.size());
  }
}

TEST_F(LogRecoveryTest, RebuildsMissingIndexes) {
  auto all = FillAndClose(12);
  ASSERT_GE(SegmentBases().size(), 3u);
  for (uint64_t base : SegmentBases()) ASSERT_TRUE(mem_env_.RemoveFile(IndexPath(base)));

  auto log = OpenLog();
  EXPECT_GT(log->recovery_scanned_bytes(), 0u);
  EXPECT_TRUE(log->damage().empty());
  for (uint64_t base : SegmentBases()) EXPECT_TRUE(mem_env_.FileExists(IndexPath(base)));
  EXPECT_EQ(ReadAll(*log), all);
  for (uint64_t position = 0; position < all.size(); position += 7) {
    ReadBatch batch;
    ASSERT_TRUE(log->Read(position, ReadLimits{1, 1 << 20}, &batch));
    EXPECT_EQ(Own(batch.records()[0]), all[position]);
  }
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_LT(log->recovery_scanned_bytes(), 4096u);  // rebuilt indexes are trusted again
}

TEST_F(LogRecoveryTest, RebuildsStaleIndexes) {
  auto all = FillAndClose(16);
  std::vector<uint64_t> bases = SegmentBases();
  ASSERT_GT(bases.size(), 3u);
  // A corrupt entry, an index of another segment, an index cut to its header.
  std::string first = *mem_env_.Contents(IndexPath(bases[0]));
  first[kIndexHeaderBytes + kIndexEntryBytes + 2] ^= 0x08;
  ASSERT_TRUE(mem_env_.SetContents(IndexPath(bases[0]), first));
  ASSERT_TRUE(mem_env_.SetContents(IndexPath(bases[1]), *mem_env_.Contents(IndexPath(bases[2]))));
  std::string last = *mem_env_.Contents(IndexPath(bases.back()));
  ASSERT_TRUE(mem_env_.SetContents(IndexPath(bases.back()), last.substr(0, kIndexHeaderBytes)));

  auto log = OpenLog();
  EXPECT_TRUE(log->damage().empty());
  EXPECT_EQ(ReadAll(*log), all);
  for (uint64_t position = 0; position < all.size(); ++position) {
    ASSERT_EQ(*log->FirstPositionAtOrAfter(position), position);
  }
  EXPECT_TRUE(log->Verify());
}

TEST_F(LogRecoveryTest, TrustsSealedSegmentsAndScansOnlyTheTail) {
  auto all = FillAndClose(40);
  ASSERT_GE(SegmentBases().size(), 10u);
  uint64_t total = 0;
  for (uint64_t base : SegmentBases()) total += mem_env_.Contents(SegmentPath(base))->size();
  uint64_t read_before = env_.bytes_read();
  auto log = OpenLog();
  uint64_t read = env_.bytes_read() - read_before;
  EXPECT_LT(log->recovery_scanned_bytes(), 4096u);
  EXPECT_LT(read, total / 4);
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(LogRecoveryTest, ReportsACorruptFrameInASealedSegmentOnRead) {
  auto all = FillAndClose(12);
  uint64_t base = SegmentBases()[1];
  std::string bytes = *mem_env_.Contents(SegmentPath(base));
  uint64_t offset =
      kSegmentHeaderBytes + DecodeFrame(std::string_view(bytes).substr(40), true).size;
  bytes[offset + kFrameHeaderBytes + 5] ^= 0x20;  // the second record of the segment
  ASSERT_TRUE(mem_env_.SetContents(SegmentPath(base), bytes));

  auto log = OpenLog();  // the seal is trusted: found when read
  ReadBatch batch;
  Status status = log->Read(base + 1, {}, &batch);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(status.error().message.find(SegmentFileName(base)), std::string::npos);
  EXPECT_NE(status.error().message.find("offset " + std::to_string(offset)), std::string::npos)
      << status.error().message;
  Status verify = log->Verify();
  ASSERT_FALSE(verify);
  EXPECT_NE(verify.error().message.find(SegmentFileName(base)), std::string::npos);
}

TEST_F(LogRecoveryTest, ReportsCorruptionFoundWhileRebuildingAnIndex) {
  auto all = FillAndClose(12);
  std::vector<uint64_t> bases = SegmentBases();
  uint64_t base = bases[1];
  std::string bytes = *mem_env_.Contents(SegmentPath(base));
  uint64_t first_size = DecodeFrame(std::string_view(bytes).substr(40), true).size;
  uint64_t offset = kSegmentHeaderBytes + first_size;
  bytes[offset + 3] ^= 0x01;  // the second frame's checksum
  ASSERT_TRUE(mem_env_.SetContents(SegmentPath(base), bytes));
  ASSERT_TRUE(mem_env_.RemoveFile(IndexPath(base)));

  auto log = OpenLog();
  ASSERT_EQ(log->damage().size(), 1u);
  const Error& damage = log->damage()[0];
  EXPECT_EQ(damage.code, ErrorCode::kDataLoss);
  EXPECT_NE(damage.message.find(SegmentFileName(base)), std::string::npos);
  EXPECT_NE(damage.message.find("offset " + std::to_string(offset)), std::string::npos);
  // The damaged segment was kept as it was; everything else reads.
  EXPECT_EQ(mem_env_.Contents(SegmentPath(base))->size(), bytes.size());
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, ReadLimits{1000, 1 << 30}, &batch));  // stops before the damage
  ASSERT_EQ(batch.records().size(), base + 1);
  Status status = log->Read(base + 1, {}, &batch);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(ReadAll(*log, bases[2]), std::vector<OwnedRecord>(all.begin() + bases[2], all.end()));
  auto more = MakeRecords(1, 10, 3);
  EXPECT_EQ(Append(*log, more).first_position, all.size());
}

TEST_F(LogRecoveryTest, SealsACompleteSegmentLeftUnsealed) {
  auto all = FillAndClose(12);
  uint64_t base = SegmentBases()[1];
  // A crash between the roll and the seal: no seal entry, preallocated zeros at the end.
  auto index = IndexFile::Load(&mem_env_, IndexPath(base), base);
  ASSERT_TRUE(index && index->seal);
  ASSERT_TRUE(IndexFile::Rewrite(&mem_env_, IndexPath(base), base, index->entries, std::nullopt));
  std::string bytes = *mem_env_.Contents(SegmentPath(base));
  uint64_t size = bytes.size();
  ASSERT_TRUE(mem_env_.SetContents(SegmentPath(base), bytes + std::string(8192, '\0')));

  auto log = OpenLog();
  EXPECT_TRUE(log->damage().empty());
  EXPECT_EQ(mem_env_.Contents(SegmentPath(base))->size(), size);
  auto resealed = IndexFile::Load(&mem_env_, IndexPath(base), base);
  ASSERT_TRUE(resealed && resealed->seal);
  EXPECT_EQ(*resealed->seal, *index->seal);
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(LogRecoveryTest, DropsSegmentsPastATornTailThatSpansARoll) {
  auto all = FillAndClose(12);
  std::vector<uint64_t> bases = SegmentBases();
  uint64_t torn = bases[bases.size() - 2];
  // The newest segment holds nothing acknowledged (no index entries); the one before it
  // lost its last frames.
  ASSERT_TRUE(
      IndexFile::Rewrite(&mem_env_, IndexPath(bases.back()), bases.back(), {}, std::nullopt));
  auto index = IndexFile::Load(&mem_env_, IndexPath(torn), torn);
  ASSERT_TRUE(IndexFile::Rewrite(&mem_env_, IndexPath(torn), torn,
                                 std::span(index->entries).first(1), std::nullopt));
  std::string bytes = *mem_env_.Contents(SegmentPath(torn));
  uint64_t first_size = DecodeFrame(std::string_view(bytes).substr(40), true).size;
  ASSERT_TRUE(mem_env_.SetContents(SegmentPath(torn), bytes.substr(0, 40 + first_size + 7)));

  auto log = OpenLog();
  EXPECT_TRUE(log->damage().empty());
  EXPECT_EQ(log->tail_position(), torn + 1);
  EXPECT_FALSE(mem_env_.FileExists(SegmentPath(bases.back())));
  EXPECT_EQ(ReadAll(*log), std::vector<OwnedRecord>(all.begin(), all.begin() + torn + 1));
  auto more = MakeRecords(2, 10, 1);
  EXPECT_EQ(Append(*log, more).first_position, torn + 1);
}

TEST_F(LogRecoveryTest, RemovesASegmentTornWhileBeingCreated) {
  auto all = FillAndClose(3);
  ASSERT_TRUE(mem_env_.OpenWritable(SegmentPath(all.size()), OpenMode::kCreateOrTruncate));
  Overwrite(SegmentPath(all.size()), 0, "SLUIC");
  auto log = OpenLog();
  EXPECT_FALSE(mem_env_.FileExists(SegmentPath(all.size())));
  EXPECT_EQ(log->tail_position(), all.size());
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(LogRecoveryTest, RemovesLeftoverFiles) {
  FillAndClose(1);
  ASSERT_TRUE(mem_env_.OpenWritable(IndexPath(0) + ".tmp", OpenMode::kCreateOrTruncate));
  ASSERT_TRUE(mem_env_.OpenWritable(IndexPath(123456), OpenMode::kCreateOrTruncate));
  auto log = OpenLog();
  EXPECT_FALSE(mem_env_.FileExists(IndexPath(0) + ".tmp"));
  EXPECT_FALSE(mem_env_.FileExists(IndexPath(123456)));
}

TEST_F(LogRecoveryTest, ReadsOlderFormatSegmentsAndAppendsToANewOne) {
  auto all = FillAndClose(8);
  std::vector<uint64_t> old_bases = SegmentBases();
  ASSERT_GE(old_bases.size(), 2u);
  for (uint64_t base : old_bases) SetFormatVersion(base, 1);

  auto log = OpenLog();
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_TRUE(log->Verify());
  // A version 1 segment cannot hold sealed batches: the last one was sealed and appends
  // go to a new one.
  EXPECT_EQ(SegmentBases().back(), all.size());
  EXPECT_EQ(FormatVersion(all.size()), kSegmentFormatVersion);
  ASSERT_TRUE(log->SetSealKey(TestKey(1, 1)));
  auto more = MakeRecords(10, 300, 99);
  Append(*log, more);
  all.insert(all.end(), more.begin(), more.end());
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_TRUE(log->Verify());
  for (uint64_t base : old_bases) EXPECT_EQ(FormatVersion(base), 1u);
}

TEST_F(LogRecoveryTest, ReplacesAnEmptyOlderFormatSegment) {
  ASSERT_TRUE(OpenLog()->Close());
  SetFormatVersion(0, 1);
  auto log = OpenLog();
  EXPECT_EQ(SegmentBases(), std::vector<uint64_t>{0});
  EXPECT_EQ(FormatVersion(0), kSegmentFormatVersion);
  ASSERT_TRUE(log->SetSealKey(TestKey(1, 1)));
  auto records = MakeRecords(5, 100, 1);
  Append(*log, records);
  ASSERT_TRUE(log->Close());
  EXPECT_EQ(ReadAll(*OpenLog()), records);
}

TEST_F(LogRecoveryTest, RefusesANewerFormatVersion) {
  FillAndClose(1);
  std::string bytes = *mem_env_.Contents(SegmentPath(0));
  StoreLittle32(bytes.data() + 8, kSegmentFormatVersion + 1);
  StoreLittle32(bytes.data() + 36, Crc32c(bytes.data(), 36));
  ASSERT_TRUE(mem_env_.SetContents(SegmentPath(0), bytes));
  auto log = ShardLog::Open(&env_, flusher_.get(), kDir, SmallOptions());
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sluice::storage
