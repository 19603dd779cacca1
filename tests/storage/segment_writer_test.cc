#include "storage/segment_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "storage/posix_env.h"
#include "storage/segment.h"
#include "testutil/page_cache.h"
#include "testutil/temp_dir.h"

namespace sluice::storage {
namespace {

constexpr size_t kWriteBytes = size_t{64} << 10;

// Writes, syncs and commits kWriteBytes more at `end`.
void WriteSyncCommit(SegmentWriter& writer, uint64_t& end) {
  ASSERT_TRUE(writer.Write(end, std::string(kWriteBytes, 'r')));
  ASSERT_TRUE(writer.Sync());
  end += kWriteBytes;
  writer.Commit(end, end, {});
}

TEST(SegmentWriterTest, CommitsLeaveOnlyTheNewestBytesInThePageCache) {
  testutil::TempDir dir;
  if (!testutil::PageCacheCanDrop(dir.path())) GTEST_SKIP() << "tmpfs keeps every page";
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  Segment segment(dir.path(), 0, 0);
  auto writer = SegmentWriter::Create(PosixEnv::Default(), segment, 0);
  ASSERT_TRUE(writer);
  uint64_t end = kSegmentHeaderBytes;
  while (end + kWriteBytes < kCachedSegmentBytes + kCacheDropStepBytes) {
    WriteSyncCommit(**writer, end);
  }
  EXPECT_EQ(testutil::CachedPages(segment.path(), 0, end), (end + page - 1) / page);

  while (end < 3 * kCachedSegmentBytes) WriteSyncCommit(**writer, end);
  // Dropped in steps: everything but the newest cached bytes and at most one step.
  EXPECT_EQ(testutil::CachedPages(segment.path(), 0,
                                  end - kCachedSegmentBytes - kCacheDropStepBytes - page),
            0u);
  const uint64_t newest = end - kCachedSegmentBytes;
  EXPECT_EQ(testutil::CachedPages(segment.path(), newest, end),
            (end + page - 1) / page - newest / page);
}

TEST(SegmentWriterTest, SealingDropsTheSegmentsPageCache) {
  testutil::TempDir dir;
  if (!testutil::PageCacheCanDrop(dir.path())) GTEST_SKIP() << "tmpfs keeps every page";
  Segment segment(dir.path(), 0, 0);
  auto writer = SegmentWriter::Create(PosixEnv::Default(), segment, 0);
  ASSERT_TRUE(writer);
  uint64_t end = kSegmentHeaderBytes;
  for (int i = 0; i < 8; ++i) WriteSyncCommit(**writer, end);
  ASSERT_GT(testutil::CachedPages(segment.path(), 0, end), 0u);

  ASSERT_TRUE((*writer)->Seal(0));
  EXPECT_EQ(testutil::CachedPages(segment.path(), 0, end), 0u);
}

}  // namespace
}  // namespace sluice::storage
