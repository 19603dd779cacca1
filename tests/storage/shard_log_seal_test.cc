#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <span>

#include "common/crc32c.h"
#include "storage/byte_order.h"
#include "storage/frame.h"
#include "storage/log_test_base.h"
#include "storage/shard_log.h"

namespace sluice::storage {
namespace {

// Encryption at rest: ShardLog::SetSealKey and reading sealed batches.
class ShardLogSealTest : public LogTestBase {
 protected:
  // One frame of a segment file, as its clear header says.
  struct FrameAt {
    uint64_t segment = 0;  // base position
    uint64_t offset = 0;
    uint8_t type = 0;
    uint64_t position = 0;  // the first one it holds
    uint32_t record_count = 0;
    uint32_t key_id = 0;
    uint32_t size = 0;
  };

  std::unique_ptr<ShardLog> OpenSealed(uint32_t key_id) {
    auto log = OpenLog();
    EXPECT_TRUE(log->SetSealKey(TestKey(key_id, static_cast<uint8_t>(key_id))));
    return log;
  }

  // `batches` batches of 10 records with 300 bytes of data: one sealed frame each.
  std::vector<OwnedRecord> AppendBatches(ShardLog& log, int batches) {
    std::vector<OwnedRecord> all;
    for (int batch = 0; batch < batches; ++batch) {
      auto records = MakeRecords(10, 300, next_seed_++);
      Append(log, records);
      all.insert(all.end(), records.begin(), records.end());
    }
    return all;
  }

  // Every frame of every segment file, in order.
  std::vector<FrameAt> Frames() {
    std::vector<FrameAt> frames;
    for (uint64_t base : SegmentBases()) {
      std::string bytes = *mem_env_.Contents(SegmentPath(base));
      for (uint64_t offset = kSegmentHeaderBytes; offset < bytes.size();) {
        DecodedFrame frame = DecodeFrame(std::string_view(bytes).substr(offset), true);
        if (frame.status != FrameStatus::kValid) break;
        frames.push_back(FrameAt{base, offset, frame.type, frame.record.position,
                                 frame.record_count, frame.key_id, frame.size});
        offset += frame.size;
      }
    }
    return frames;
  }

  FrameAt FrameHolding(uint64_t position) {
    for (const FrameAt& frame : Frames()) {
      if (position >= frame.position && position < frame.position + frame.record_count) {
        return frame;
      }
    }
    ADD_FAILURE() << "no frame holds " << position;
    return {};
  }

  // Applies `edit` to the bytes of `frame` and gives it a matching checksum again, so only
  // the GCM tag can tell.
  void EditFrame(const FrameAt& frame, const std::function<void(char*)>& edit) {
    std::string bytes = *mem_env_.Contents(SegmentPath(frame.segment));
    char* p = bytes.data() + frame.offset;
    edit(p);
    StoreLittle32(p, Crc32c(p + 4, frame.size - 4));
    ASSERT_TRUE(mem_env_.SetContents(SegmentPath(frame.segment), bytes));
  }

  // The error of reading from `position`, which must fail.
  Error ReadError(const ShardLog& log, uint64_t position) {
    ReadBatch batch;
    Status status = log.Read(position, {}, &batch);
    EXPECT_FALSE(status) << "read from " << position << " succeeded";
    EXPECT_TRUE(batch.empty());
    return status ? Error{} : status.error();
  }

  uint64_t next_seed_ = 1;
};

TEST_F(ShardLogSealTest, RoundTripsSealedBatches) {
  auto log = OpenSealed(1);
  auto all = AppendBatches(*log, 12);
  ASSERT_GE(log->segment_count(), 3u);
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_EQ(ReadAll(*log, 0, ReadLimits{7, 1 << 20}), all);
  EXPECT_TRUE(log->Verify());
  std::vector<FrameAt> frames = Frames();
  ASSERT_EQ(frames.size(), 12u);
  for (const FrameAt& frame : frames) {
    EXPECT_EQ(frame.type, kFrameTypeSealedBatch);
    EXPECT_EQ(frame.record_count, 10u);
    EXPECT_EQ(frame.key_id, 1u);
  }
  ASSERT_TRUE(log->Close());
  log = OpenLog();
  EXPECT_EQ(ReadAll(*log), all);
}

TEST_F(ShardLogSealTest, SealsABatchAsOneFramePerChunk) {
  auto log = OpenSealed(1);
  auto records = MakeRecords(12, 1000, 1);  // about 12.5 KiB of frames, chunks of 4 KiB
  records[5].data.assign(6000, 'b');        // larger than a chunk: sealed alone
  Append(*log, records);
  std::vector<FrameAt> frames = Frames();
  ASSERT_GT(frames.size(), 3u);
  uint64_t position = 0;
  for (const FrameAt& frame : frames) {
    EXPECT_EQ(frame.position, position);
    if (frame.position == 5) {
      EXPECT_EQ(frame.record_count, 1u);
    } else {
      EXPECT_LE(frame.size, SmallOptions().chunk_bytes);
    }
    position += frame.record_count;
  }
  EXPECT_EQ(position, records.size());
  EXPECT_EQ(ReadAll(*log), records);
  EXPECT_EQ(ReadAll(*log, 0, ReadLimits{1, 1 << 20}), records);
}

TEST_F(ShardLogSealTest, MixesPlainAndSealedFramesUnderSeveralKeys) {
  std::vector<OwnedRecord> all;
  // plain, sealed under key 1, plain, sealed under key 2; reopened in between.
  for (std::optional<uint32_t> key_id : {std::optional<uint32_t>(), std::optional<uint32_t>(1),
                                         std::optional<uint32_t>(), std::optional<uint32_t>(2)}) {
    auto log = key_id ? OpenSealed(*key_id) : OpenLog();
    EXPECT_EQ(ReadAll(*log), all);
    auto records = AppendBatches(*log, 3);
    all.insert(all.end(), records.begin(), records.end());
    ASSERT_TRUE(log->Close());
  }
  auto log = OpenLog();
  EXPECT_EQ(ReadAll(*log), all);
  EXPECT_EQ(ReadAll(*log, 0, ReadLimits{4, 1 << 20}), all);
  EXPECT_EQ(ReadAll(*log, 25), std::vector<OwnedRecord>(all.begin() + 25, all.end()));
  EXPECT_TRUE(log->Verify());
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, ReadLimits{1000, 1 << 20}, &batch));
  for (const Record& record : batch.records()) {
    EXPECT_EQ(record.sealed, FrameHolding(record.position).type == kFrameTypeSealedBatch);
  }
  std::set<std::pair<uint8_t, uint32_t>> kinds;  // (type, key id)
  for (const FrameAt& frame : Frames()) kinds.insert({frame.type, frame.key_id});
  EXPECT_EQ(kinds,
            (std::set<std::pair<uint8_t, uint32_t>>{
                {kFrameTypeRecord, 0}, {kFrameTypeSealedBatch, 1}, {kFrameTypeSealedBatch, 2}}));
  // Switching without a reopen: the next append is plain again.
  ASSERT_TRUE(log->SetSealKey(std::nullopt));
  auto plain = AppendBatches(*log, 1);
  EXPECT_EQ(FrameHolding(plain[0].position).type, kFrameTypeRecord);
}

TEST_F(ShardLogSealTest, ReadsFromTheMiddleOfASealedBatch) {
  auto log = OpenSealed(1);
  auto all = AppendBatches(*log, 5);
  for (uint64_t position : {3, 14, 27, 46}) {
    ReadBatch batch;
    ASSERT_TRUE(log->Read(position, ReadLimits{4, 1 << 20}, &batch));
    ASSERT_EQ(batch.records().size(), 4u) << position;
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(Own(batch.records()[i]), all[position + i]);
    EXPECT_EQ(batch.next_position(), position + 4);
  }
  EXPECT_EQ(ReadAll(*log, 23, ReadLimits{3, 1 << 20}),
            std::vector<OwnedRecord>(all.begin() + 23, all.end()));
  // The byte limit may stop a read inside a batch too.
  uint64_t three_records = 0;
  for (const OwnedRecord& record : std::span(all).subspan(1, 3)) {
    three_records +=
        record.partition_key.size() + record.explicit_hash_key.size() + record.data.size();
  }
  ReadBatch batch;
  ASSERT_TRUE(log->Read(1, ReadLimits{1000, three_records}, &batch));
  EXPECT_EQ(batch.records().size(), 3u);
  EXPECT_EQ(batch.next_position(), 4u);
}

TEST_F(ShardLogSealTest, SeeksAndFindsPositionsWithoutAKey) {
  ShardLogOptions options = SmallOptions();
  options.keys = nullptr;
  auto log = OpenLog(options);
  ASSERT_TRUE(log->SetSealKey(TestKey(1, 1)));
  int64_t start = clock_.now();
  for (uint64_t batch = 0; batch < 40; ++batch) {
    auto records = MakeRecords(5, 300, batch);
    Append(*log, records);  // positions 5b..5b+4 arrive at start + 1000 b
    clock_.Advance(1000);
  }
  ASSERT_GT(log->segment_count(), 3u);
  for (int reopen = 0; reopen < 2; ++reopen) {
    EXPECT_EQ(log->tail_position(), 200u);
    EXPECT_EQ(*log->SeekTime(start), 0u);
    EXPECT_EQ(*log->SeekTime(start + 1), 5u);
    EXPECT_EQ(*log->SeekTime(start + 17'500), 90u);
    EXPECT_EQ(*log->SeekTime(start + 39'000), 195u);
    EXPECT_EQ(*log->SeekTime(start + 39'001), 200u);
    for (uint64_t position = 0; position < 200; ++position) {
      ASSERT_EQ(*log->FirstPositionAtOrAfter(position), position);
    }
    EXPECT_EQ(*log->FirstPositionAtOrAfter(5000), 200u);
    EXPECT_TRUE(log->Verify());  // framing, checksums and sequence need no key
    Error error = ReadError(*log, 7);
    EXPECT_EQ(error.code, ErrorCode::kDataLoss);
    EXPECT_NE(error.message.find("'test/shard-0'"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("records 5 to 9"), std::string::npos) << error.message;
    ASSERT_TRUE(log->Close());
    log = OpenLog(options);  // recovery needs no key either
  }
}

TEST_F(ShardLogSealTest, RetentionDeletesSealedSegments) {
  auto log = OpenSealed(1);
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
  uint64_t horizon = log->trim_horizon();
  EXPECT_GT(horizon, 0u);
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_LT(all[horizon - 1].arrival_ms, start + 7 * kHourMs);
  EXPECT_FALSE(mem_env_.FileExists(SegmentPath(0)));
  EXPECT_EQ(ReadAll(*log), std::vector<OwnedRecord>(all.begin() + horizon, all.end()));
}

TEST_F(ShardLogSealTest, SegmentFilesHoldNoPlaintext) {
  auto log = OpenSealed(2);
  std::vector<OwnedRecord> records = MakeRecords(40, 0, 7);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].partition_key = "customer-" + std::to_string(4711 + i);
    records[i].data = "card number 4000-0000-0000-" + std::to_string(1000 + i);
  }
  Append(*log, records);
  ASSERT_TRUE(log->Close());
  for (uint64_t base : SegmentBases()) {
    std::string bytes = *mem_env_.Contents(SegmentPath(base));
    for (std::string_view clear : {"customer-", "card number", "4000-0000"}) {
      EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
    }
    for (const OwnedRecord& record : records) {
      if (record.explicit_hash_key.empty()) continue;
      EXPECT_EQ(bytes.find(record.explicit_hash_key), std::string::npos);
    }
  }
  EXPECT_EQ(ReadAll(*OpenLog()), records);
}

TEST_F(ShardLogSealTest, AlteredCiphertextBehindAValidChecksumIsDataLoss) {
  auto log = OpenSealed(1);
  auto all = AppendBatches(*log, 6);
  FrameAt frame = FrameHolding(20);
  ASSERT_EQ(frame.position, 20u);
  EditFrame(frame, [](char* p) { p[kSealedFrameHeaderBytes + 40] ^= 0x01; });

  ReadBatch batch;
  ASSERT_TRUE(log->Read(13, {}, &batch));  // the records before the batch come back first
  ASSERT_EQ(batch.records().size(), 7u);
  EXPECT_EQ(batch.next_position(), 20u);
  for (uint64_t position : {20, 25, 29}) {
    Error error = ReadError(*log, position);
    EXPECT_EQ(error.code, ErrorCode::kDataLoss);
    EXPECT_NE(error.message.find("'test/shard-0'"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("records 20 to 29"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("authentication failed"), std::string::npos) << error.message;
    EXPECT_EQ(error.message.find(kDir), std::string::npos);  // no paths
  }
  ASSERT_TRUE(log->Read(30, ReadLimits{1, 1 << 20}, &batch));  // reading past it works
  EXPECT_EQ(Own(batch.records()[0]), all[30]);
  Status verify = log->Verify();
  ASSERT_FALSE(verify);
  EXPECT_EQ(verify.error().code, ErrorCode::kDataLoss);
}

TEST_F(ShardLogSealTest, AlteredClearHeaderBehindAValidChecksumIsDataLoss) {
  auto log = OpenSealed(1);
  AppendBatches(*log, 3);
  FrameAt frame = FrameHolding(10);
  // Another arrival time keeps positions and sizes valid; only the tag notices.
  EditFrame(frame, [](char* p) { p[24] ^= 0x01; });
  Error error = ReadError(*log, 10);
  EXPECT_EQ(error.code, ErrorCode::kDataLoss);
  EXPECT_NE(error.message.find("authentication failed"), std::string::npos) << error.message;
}

TEST_F(ShardLogSealTest, WrongKeyBytesAreDataLoss) {
  {
    auto log = OpenSealed(1);
    AppendBatches(*log, 3);
  }
  keys_->Add(TestKey(1, 0x99));  // the same id, other bytes
  auto log = OpenLog();
  Error error = ReadError(*log, 0);
  EXPECT_EQ(error.code, ErrorCode::kDataLoss);
  EXPECT_NE(error.message.find("authentication failed"), std::string::npos) << error.message;
  EXPECT_EQ(ReadError(*log, 15).code, ErrorCode::kDataLoss);
  EXPECT_EQ(*log->FirstPositionAtOrAfter(15), 15u);
  EXPECT_FALSE(log->Verify());
}

TEST_F(ShardLogSealTest, UnknownKeyIdIsDataLoss) {
  auto log = OpenLog();
  auto plain = AppendBatches(*log, 1);
  ASSERT_TRUE(log->SetSealKey(TestKey(3, 3)));  // not in the resolver
  AppendBatches(*log, 2);
  ReadBatch batch;
  ASSERT_TRUE(log->Read(0, {}, &batch));
  ASSERT_EQ(batch.records().size(), plain.size());
  Error error = ReadError(*log, batch.next_position());
  EXPECT_EQ(error.code, ErrorCode::kDataLoss);
  EXPECT_NE(error.message.find("key id 3"), std::string::npos) << error.message;
}

TEST_F(ShardLogSealTest, KeyStoreFailuresKeepTheirCode) {
  auto log = OpenSealed(1);
  AppendBatches(*log, 1);
  keys_->FailWith(ErrorCode::kUnavailable);
  EXPECT_EQ(ReadError(*log, 0).code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace sluice::storage
