#include "storage/segment_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "storage/index_file.h"
#include "storage/posix_env.h"
#include "storage/segment.h"
#include "testutil/mem_env.h"
#include "testutil/page_cache.h"
#include "testutil/temp_dir.h"

namespace sluice::storage {
namespace {

constexpr size_t kWriteBytes = size_t{64} << 10;

// A new segment on the real file system (the page cache is what the tests look at).
class SegmentWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testutil::PageCacheCanDrop(dir_.path())) GTEST_SKIP() << "tmpfs keeps every page";
    auto writer = SegmentWriter::Create(PosixEnv::Default(), segment_, 0);
    ASSERT_TRUE(writer);
    writer_ = std::move(*writer);
  }

  // Writes, syncs and commits kWriteBytes more at end_.
  void WriteSyncCommit() {
    ASSERT_TRUE(writer_->Write(end_, std::string(kWriteBytes, 'r')));
    ASSERT_TRUE(writer_->Sync());
    end_ += kWriteBytes;
    writer_->Commit(end_, end_, {});
  }

  uint64_t CachedPages(uint64_t from, uint64_t to) const {
    return testutil::CachedPages(segment_.path(), from, to);
  }

  testutil::TempDir dir_;
  Segment segment_{dir_.path(), 0, 0};
  std::unique_ptr<SegmentWriter> writer_;
  uint64_t end_ = kSegmentHeaderBytes;
};

TEST_F(SegmentWriterTest, CommitsLeaveOnlyTheNewestBytesInThePageCache) {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  while (end_ + kWriteBytes < kCachedSegmentBytes + kCacheDropStepBytes) WriteSyncCommit();
  EXPECT_EQ(CachedPages(0, end_), (end_ + page - 1) / page);

  while (end_ < 3 * kCachedSegmentBytes) WriteSyncCommit();
  // Dropped in steps: everything but the newest cached bytes and at most one step.
  EXPECT_EQ(CachedPages(0, end_ - kCachedSegmentBytes - kCacheDropStepBytes - page), 0u);
  const uint64_t newest = end_ - kCachedSegmentBytes;
  EXPECT_EQ(CachedPages(newest, end_), (end_ + page - 1) / page - newest / page);
}

TEST_F(SegmentWriterTest, SealingDropsTheSegmentsPageCache) {
  for (int i = 0; i < 8; ++i) WriteSyncCommit();
  ASSERT_GT(CachedPages(0, end_), 0u);

  ASSERT_TRUE(writer_->Seal(0));
  EXPECT_EQ(CachedPages(0, end_), 0u);
}

// Index entries on an in-memory file system: only the index file is looked at.
TEST(SegmentWriterIndexTest, TheIndexFileIsWrittenOncePerBatchAndWhollyByAFlush) {
  testutil::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/seg"));
  Segment segment("/seg", 0, 0);
  auto writer = SegmentWriter::Create(&env, segment, 0);
  ASSERT_TRUE(writer);
  auto entries_in_file = [&] {
    auto loaded = IndexFile::Load(&env, segment.index_path(), 0);
    return loaded ? loaded->entries.size() : size_t{0};
  };
  // One committed entry every kWriteBytes, as a shard writes them.
  uint64_t end = kSegmentHeaderBytes;
  auto commit = [&] {
    const IndexEntry entry{end, end, 0};
    end += kWriteBytes;
    (*writer)->Commit(end, end, {&entry, 1});
    (*writer)->WriteIndexBatch();
  };
  commit();  // a segment's first entry at once: the evidence that it holds records
  EXPECT_EQ(entries_in_file(), 1u);
  while (end + kWriteBytes - kSegmentHeaderBytes < kIndexWriteBatchBytes) commit();
  EXPECT_EQ(entries_in_file(), 1u);

  commit();  // the committed bytes past the file's last entry reach a batch
  const size_t batch = kIndexWriteBatchBytes / kWriteBytes;
  EXPECT_EQ(entries_in_file(), batch);
  for (int i = 0; i < 3; ++i) commit();
  EXPECT_EQ(entries_in_file(), batch);

  (*writer)->FlushIndex();  // as a close does
  EXPECT_EQ(entries_in_file(), batch + 3);
}

}  // namespace
}  // namespace sluice::storage
