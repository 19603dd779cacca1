#include "storage/segment_scanner.h"

#include <gtest/gtest.h>

#include "storage/frame.h"
#include "testutil/mem_env.h"

namespace sluice::storage {
namespace {

class SegmentScannerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/d")); }

  // Frames for positions [first, first + count) with growing data, after `prefix` bytes.
  std::string Frames(uint64_t first, int count, size_t prefix = 0) {
    std::string bytes(prefix, 'h');
    for (int i = 0; i < count; ++i) {
      std::string data(static_cast<size_t>(10 + i * 50), static_cast<char>('a' + i % 26));
      RecordInput input{"key", "", data};
      std::string frame(RecordFrameSize(input), '\0');
      EncodeRecordFrame(first + static_cast<uint64_t>(i), 1000 + i, input, frame.data());
      bytes += frame;
    }
    return bytes;
  }

  std::unique_ptr<ReadableFile> File(const std::string& bytes) {
    auto writer = env_.OpenWritable("/d/f", OpenMode::kCreateOrTruncate);
    EXPECT_TRUE((*writer)->WriteAt(0, bytes));
    return std::move(*env_.OpenReadable("/d/f"));
  }

  testutil::MemEnv env_;
};

TEST_F(SegmentScannerTest, ReadsEveryFrameAcrossSmallWindows) {
  std::string bytes = Frames(7, 40, 40);
  auto file = File(bytes);
  SegmentScanner scanner(*file, 40, bytes.size(), 64);  // windows smaller than frames
  for (uint64_t position = 7; position < 47; ++position) {
    auto step = scanner.Next();
    ASSERT_TRUE(step);
    ASSERT_EQ(step->outcome, SegmentScanner::Outcome::kFrame);
    EXPECT_EQ(step->frame.record.position, position);
    EXPECT_EQ(step->frame.record.data.size(), 10 + (position - 7) * 50);
  }
  auto end = scanner.Next();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome, SegmentScanner::Outcome::kEnd);
  EXPECT_EQ(scanner.offset(), bytes.size());
}

TEST_F(SegmentScannerTest, StopsAtZeros) {
  std::string bytes = Frames(0, 3) + std::string(4096, '\0');
  auto file = File(bytes);
  SegmentScanner scanner(*file, 0, bytes.size());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(scanner.Next()->outcome, SegmentScanner::Outcome::kFrame);
  EXPECT_EQ(scanner.Next()->outcome, SegmentScanner::Outcome::kEnd);
  EXPECT_EQ(scanner.offset(), bytes.size() - 4096);
}

TEST_F(SegmentScannerTest, ReportsATornLastFrame) {
  std::string bytes = Frames(0, 3);
  bytes.resize(bytes.size() - 9);
  auto file = File(bytes);
  SegmentScanner scanner(*file, 0, bytes.size());
  for (int i = 0; i < 2; ++i) ASSERT_EQ(scanner.Next()->outcome, SegmentScanner::Outcome::kFrame);
  auto torn = scanner.Next();
  EXPECT_EQ(torn->outcome, SegmentScanner::Outcome::kTorn);
  EXPECT_EQ(torn->offset, scanner.offset());
}

TEST_F(SegmentScannerTest, ReportsACorruptFrameAndStaysOnIt) {
  std::string bytes = Frames(0, 3);
  size_t second = RecordFrameSize(RecordInput{"key", "", std::string(10, 'a')});
  bytes[second + 40] ^= 0x01;
  auto file = File(bytes);
  SegmentScanner scanner(*file, 0, bytes.size());
  ASSERT_EQ(scanner.Next()->outcome, SegmentScanner::Outcome::kFrame);
  auto corrupt = scanner.Next();
  EXPECT_EQ(corrupt->outcome, SegmentScanner::Outcome::kCorrupt);
  EXPECT_EQ(corrupt->offset, second);
  EXPECT_EQ(scanner.offset(), second);
  // Header-only scanning skips over a bad body.
  SegmentScanner skipping(*file, 0, bytes.size());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(skipping.Next(false)->outcome, SegmentScanner::Outcome::kFrame);
  }
}

}  // namespace
}  // namespace sluice::storage
