#include "storage/frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/crc32c.h"
#include "storage/byte_order.h"
#include "storage/log_test_base.h"

namespace sluice::storage {
namespace {

std::string Encode(uint64_t position, int64_t arrival_ms, const RecordInput& record) {
  std::string bytes(RecordFrameSize(record), '\0');
  EncodeRecordFrame(position, arrival_ms, record, bytes.data());
  return bytes;
}

TEST(FrameTest, RoundTripsARecord) {
  RecordInput input{"partition", "340282366920938463463374607431768211455", "payload bytes"};
  std::string bytes = Encode(42, 1'700'000'000'123, input);
  ASSERT_EQ(bytes.size(), kFrameHeaderBytes + 9 + 39 + 13);
  DecodedFrame frame = DecodeFrame(bytes, true);
  ASSERT_EQ(frame.status, FrameStatus::kValid);
  EXPECT_EQ(frame.size, bytes.size());
  EXPECT_EQ(frame.record.position, 42u);
  EXPECT_EQ(frame.record.arrival_ms, 1'700'000'000'123);
  EXPECT_EQ(frame.record.partition_key, "partition");
  EXPECT_EQ(frame.record.explicit_hash_key, "340282366920938463463374607431768211455");
  EXPECT_EQ(frame.record.data, "payload bytes");
}

TEST(FrameTest, RoundTripsEmptyFields) {
  std::string bytes = Encode(0, 0, RecordInput{});
  DecodedFrame frame = DecodeFrame(bytes, true);
  ASSERT_EQ(frame.status, FrameStatus::kValid);
  EXPECT_EQ(frame.size, kFrameHeaderBytes);
  EXPECT_TRUE(frame.record.partition_key.empty());
  EXPECT_TRUE(frame.record.explicit_hash_key.empty());
  EXPECT_TRUE(frame.record.data.empty());
}

TEST(FrameTest, DetectsEveryFlippedByte) {
  std::string good = Encode(7, 99, RecordInput{"k", "", "some data"});
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    EXPECT_NE(DecodeFrame(bad, true).status, FrameStatus::kValid) << "byte " << i;
  }
}

TEST(FrameTest, ReportsATruncatedFrameWithItsSize) {
  std::string bytes = Encode(1, 2, RecordInput{"key", "", std::string(100, 'x')});
  DecodedFrame frame = DecodeFrame(std::string_view(bytes).substr(0, 50), true);
  EXPECT_EQ(frame.status, FrameStatus::kTruncated);
  EXPECT_EQ(frame.size, bytes.size());
  EXPECT_EQ(DecodeFrame(std::string_view(bytes).substr(0, 10), true).status,
            FrameStatus::kTruncated);
}

TEST(FrameTest, ReadsZerosAsTheEnd) {
  EXPECT_EQ(DecodeFrame(std::string(64, '\0'), true).status, FrameStatus::kEnd);
}

TEST(FrameTest, RejectsUnknownTypeAndFlags) {
  std::string bytes = Encode(1, 2, RecordInput{"key", "", "data"});
  std::string unknown = bytes;
  unknown[8] = 3;
  EXPECT_EQ(DecodeFrame(unknown, false).status, FrameStatus::kCorrupt);
  std::string sealed_batch = bytes;  // a record frame's header is no sealed batch's
  sealed_batch[8] = static_cast<char>(kFrameTypeSealedBatch);
  EXPECT_EQ(DecodeFrame(sealed_batch, false).status, FrameStatus::kCorrupt);
  std::string flagged = bytes;
  flagged[9] = 1;
  EXPECT_EQ(DecodeFrame(flagged, false).status, FrameStatus::kCorrupt);
}

TEST(FrameTest, SkipsChecksumWhenNotAskedToVerify) {
  std::string bytes = Encode(5, 6, RecordInput{"key", "", "data"});
  bytes.back() ^= 1;
  EXPECT_EQ(DecodeFrame(bytes, false).status, FrameStatus::kValid);
  EXPECT_EQ(DecodeFrame(bytes, true).status, FrameStatus::kCorrupt);
}

class SealedFrameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cipher = SealCipher::Create(kKey);
    ASSERT_TRUE(cipher);
    cipher_ = std::move(*cipher);
  }

  // A sealed batch of `inputs_` at positions from 100, arrived at 1234.
  std::string Seal() { return SealedFrame(kKey, 100, 1234, inputs_); }

  const SealKey kKey = TestKey(9, 0x5a);
  std::unique_ptr<SealCipher> cipher_;
  std::vector<RecordInput> inputs_ = {{"partition-a", "", "first payload"},
                                      {"partition-b", "12345", "second payload"},
                                      {"partition-c", "", ""}};
};

TEST_F(SealedFrameTest, HeaderReadsWithoutTheKey) {
  std::string bytes = Seal();
  DecodedFrame frame = DecodeFrame(bytes, true);
  ASSERT_EQ(frame.status, FrameStatus::kValid);
  EXPECT_EQ(frame.type, kFrameTypeSealedBatch);
  EXPECT_EQ(frame.size, bytes.size());
  EXPECT_EQ(frame.record.position, 100u);
  EXPECT_EQ(frame.record_count, 3u);
  EXPECT_EQ(frame.record.arrival_ms, 1234);
  EXPECT_EQ(frame.key_id, 9u);
  // The common 32-byte prefix is enough to learn the size (what a scanner reads first).
  DecodedFrame prefix = DecodeFrame(std::string_view(bytes).substr(0, kFrameHeaderBytes), false);
  EXPECT_EQ(prefix.status, FrameStatus::kTruncated);
  EXPECT_EQ(prefix.size, bytes.size());
}

TEST_F(SealedFrameTest, OpensIntoTheRecordFrames) {
  std::string bytes = Seal();
  auto plain = OpenBatchFrame(*cipher_, bytes);
  ASSERT_TRUE(plain) << plain.error().message;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    DecodedFrame inner = DecodeFrame(*plain, true);
    ASSERT_EQ(inner.status, FrameStatus::kValid);
    EXPECT_EQ(inner.type, kFrameTypeRecord);
    EXPECT_EQ(inner.record.position, 100 + i);
    EXPECT_EQ(inner.record.arrival_ms, 1234);
    EXPECT_EQ(inner.record.partition_key, inputs_[i].partition_key);
    EXPECT_EQ(inner.record.explicit_hash_key, inputs_[i].explicit_hash_key);
    EXPECT_EQ(inner.record.data, inputs_[i].data);
    plain->remove_prefix(inner.size);
  }
  EXPECT_TRUE(plain->empty());
}

TEST_F(SealedFrameTest, HoldsNoPlaintext) {
  std::string bytes = Seal();
  for (std::string_view clear : {"partition-", "payload", "12345"}) {
    EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
  }
}

TEST_F(SealedFrameTest, ChecksumCoversEveryByteIncludingTheCiphertext) {
  std::string good = Seal();
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x04);
    EXPECT_NE(DecodeFrame(bad, true).status, FrameStatus::kValid) << "byte " << i;
  }
}

TEST_F(SealedFrameTest, AuthenticatesTheClearHeader) {
  std::string bytes = Seal();
  bytes[24] ^= 0x01;  // arrival_ms, then a checksum that matches again
  StoreLittle32(bytes.data(), Crc32c(bytes.data() + 4, bytes.size() - 4));
  ASSERT_EQ(DecodeFrame(bytes, true).status, FrameStatus::kValid);
  auto plain = OpenBatchFrame(*cipher_, bytes);
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, ErrorCode::kDataLoss);
}

TEST_F(SealedFrameTest, RejectsAHeaderWithoutRecords) {
  std::string bytes = Seal();
  StoreLittle32(bytes.data() + 12, 0);  // record count
  EXPECT_EQ(DecodeFrame(bytes, false).status, FrameStatus::kCorrupt);
}

}  // namespace
}  // namespace sluice::storage
