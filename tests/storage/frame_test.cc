#include "storage/frame.h"

#include <gtest/gtest.h>

#include <string>

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
  std::string sealed_batch = bytes;
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

}  // namespace
}  // namespace sluice::storage
