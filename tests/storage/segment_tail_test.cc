#include "storage/segment_tail.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "testutil/fault_env.h"
#include "testutil/mem_env.h"

namespace sluice::storage {
namespace {

constexpr char kPath[] = "/data/segment";
constexpr size_t kBlock = SegmentTail::kBlockBytes;

// Passes everything to `file` and records the ranges whose writeback was started.
class WritebackRecorder final : public WritableFile {
 public:
  explicit WritebackRecorder(WritableFile* file) : file_(file) {}

  Status WriteAt(uint64_t offset, std::string_view data) override {
    return file_->WriteAt(offset, data);
  }
  Status Sync() override { return file_->Sync(); }
  Status SyncFileSystem() override { return file_->SyncFileSystem(); }
  uint64_t FileSystemId() const override { return file_->FileSystemId(); }
  Status Allocate(uint64_t offset, uint64_t length) override {
    return file_->Allocate(offset, length);
  }
  void StartWriteback(uint64_t offset, uint64_t length) override {
    started.emplace_back(offset, length);
    if (on_start) on_start();
  }
  Status Truncate(uint64_t size) override { return file_->Truncate(size); }
  Result<uint64_t> Size() override { return file_->Size(); }

  std::vector<std::pair<uint64_t, uint64_t>> started;  // (offset, length)
  std::function<void()> on_start;                      // runs inside StartWriteback

 private:
  WritableFile* const file_;
};

// A segment file whose first 10 bytes are written, with a tail over it.
class SegmentTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDirs("/data"));
    auto file = env_.OpenWritable(kPath, OpenMode::kCreateOrTruncate);
    ASSERT_TRUE(file);
    file_ = std::move(*file);
    ASSERT_TRUE(file_->WriteAt(0, "0123456789"));
    auto reader = env_.OpenReadable(kPath);
    ASSERT_TRUE(reader);
    tail_->Attach(file_.get());
    reader_ = SegmentTail::Overlay(tail_, std::move(*reader));
  }

  // What the overlay reads from `offset` on (`length` bytes asked for).
  std::string Read(uint64_t offset, size_t length) {
    std::string out(length, '\0');
    auto got = ReadFully(*reader_, offset, out);
    EXPECT_TRUE(got);
    out.resize(got ? *got : 0);
    return out;
  }
  std::string FileContents() { return *mem_env_.Contents(kPath); }

  testutil::MemEnv mem_env_;
  testutil::FaultEnv env_{&mem_env_};
  std::unique_ptr<WritableFile> file_;
  std::shared_ptr<SegmentTail> tail_ = std::make_shared<SegmentTail>();
  std::shared_ptr<const ReadableFile> reader_;
};

TEST_F(SegmentTailTest, ReadersSeeAppendedBytesBeforeTheFileHasThem) {
  ASSERT_TRUE(tail_->Append(10, "abc"));
  ASSERT_TRUE(tail_->Append(13, "def"));
  EXPECT_EQ(FileContents(), "0123456789");
  EXPECT_EQ(Read(0, 16), "0123456789abcdef");  // across the file and the tail
  EXPECT_EQ(Read(12, 4), "cdef");
  EXPECT_EQ(Read(16, 4), "");  // past what was appended

  ASSERT_TRUE(tail_->Flush());
  EXPECT_EQ(FileContents(), "0123456789abcdef");
  EXPECT_EQ(Read(0, 16), "0123456789abcdef");
}

TEST_F(SegmentTailTest, AFullBlockStaysReadableUntilItsWriteTakesItToTheFileInOneWrite) {
  const std::string first(kBlock, 'x');
  auto filling = tail_->Append(10, first);
  ASSERT_TRUE(filling);
  EXPECT_FALSE(filling->block_full);
  auto next = tail_->Append(10 + kBlock, "next");  // does not fit: the block is full
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->block_full);
  EXPECT_EQ(FileContents().size(), 10u);  // its write is left to WriteFullBlock
  EXPECT_EQ(Read(kBlock + 8, 6), "xxnext");
  EXPECT_EQ(Read(0, 12), "0123456789xx");

  ASSERT_TRUE(tail_->WriteFullBlock());
  EXPECT_EQ(FileContents(), "0123456789" + first);  // not the current block
  EXPECT_EQ(Read(kBlock + 8, 6), "xxnext");
  ASSERT_TRUE(tail_->WriteFullBlock());  // nothing more to write
  EXPECT_EQ(FileContents(), "0123456789" + first);
}

TEST_F(SegmentTailTest, ABlockFillingBeforeTheFullOneIsWrittenWritesItFirst) {
  ASSERT_TRUE(tail_->Append(10, std::string(kBlock, 'x')));
  ASSERT_TRUE(tail_->Append(10 + kBlock, std::string(kBlock, 'y')));
  auto third = tail_->Append(10 + 2 * kBlock, "z");
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->block_full);
  EXPECT_EQ(FileContents(), "0123456789" + std::string(kBlock, 'x'));
  EXPECT_EQ(Read(6 + 2 * kBlock, 5), "yyyyz");
  ASSERT_TRUE(tail_->Flush());  // the full block, then the current one
  EXPECT_EQ(FileContents(),
            "0123456789" + std::string(kBlock, 'x') + std::string(kBlock, 'y') + "z");
}

TEST_F(SegmentTailTest, AFullBlockThatFailsToBeWrittenIsWrittenByTheNextWrite) {
  ASSERT_TRUE(tail_->Append(10, std::string(kBlock, 'x')));
  ASSERT_TRUE(tail_->Append(10 + kBlock, "next"));
  env_.SetSpaceLimit(11);
  EXPECT_FALSE(tail_->WriteFullBlock());
  tail_->WriteBehind();  // the same, its failure left to the next write
  env_.SetSpaceLimit(std::nullopt);
  EXPECT_EQ(Read(8, 4), "89xx");
  ASSERT_TRUE(tail_->WriteOut());
  EXPECT_EQ(FileContents(), "0123456789" + std::string(kBlock, 'x') + "next");
}

TEST_F(SegmentTailTest, AFullBlocksWriteStartsItsWritebackAndASmallFlushLeavesItToTheSync) {
  WritebackRecorder recorder(file_.get());
  tail_->Attach(&recorder);
  // Blocks fill short of their capacity: the append that does not fit starts the next one.
  const size_t filled = kBlock - 100;
  ASSERT_TRUE(tail_->Append(10, std::string(filled, 'x')));
  ASSERT_TRUE(tail_->Append(10 + filled, std::string(200, 'y')));
  ASSERT_TRUE(tail_->WriteFullBlock());
  EXPECT_EQ(recorder.started, (std::vector<std::pair<uint64_t, uint64_t>>{{10, filled}}));
  ASSERT_TRUE(tail_->Flush());  // the current block, 200 bytes
  EXPECT_EQ(recorder.started.size(), 1u);
  EXPECT_EQ(FileContents(), "0123456789" + std::string(filled, 'x') + std::string(200, 'y'));
}

TEST_F(SegmentTailTest, AnAppendStartingANewBlockDoesNotWaitForAWritebackBeingStarted) {
  // Starting a writeback can wait for the disk's queue; here it waits for the test.
  WritebackRecorder recorder(file_.get());
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  recorder.on_start = [&] {
    entered.set_value();
    released.wait();
  };
  tail_->Attach(&recorder);
  const size_t filled = kBlock - 100;
  ASSERT_TRUE(tail_->Append(10, std::string(filled, 'x')));
  ASSERT_TRUE(tail_->Append(10 + filled, std::string(200, 'y')));
  std::thread writer([&] { EXPECT_TRUE(tail_->WriteFullBlock()); });
  entered.get_future().wait();
  // Does not fit beside the 200 bytes: the current block fills and a new one starts.
  auto appending = std::async(std::launch::async, [&] {
    return tail_->Append(10 + filled + 200, std::string(kBlock, 'z'));
  });
  const bool done = appending.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  writer.join();
  EXPECT_TRUE(done) << "the Append waited for the writeback to start";
  auto appended = appending.get();
  ASSERT_TRUE(appended);
  EXPECT_TRUE(appended->block_full);
  EXPECT_EQ(Read(10 + filled + 198, 4), "yyzz");
}

TEST_F(SegmentTailTest, AWriteLargerThanABlockGetsABlockOfItsOwn) {
  const std::string large(kBlock + 5, 'L');
  ASSERT_TRUE(tail_->Append(10, large));
  EXPECT_EQ(Read(10, large.size()), large);
  ASSERT_TRUE(tail_->Flush());
  EXPECT_EQ(FileContents(), "0123456789" + large);
}

TEST_F(SegmentTailTest, TruncateForgetsRewoundBytesAndLaterOnesTakeTheirPlace) {
  ASSERT_TRUE(tail_->Append(10, "keep-drop"));
  tail_->Truncate(14);
  ASSERT_TRUE(tail_->Append(14, "!"));
  EXPECT_EQ(Read(10, 10), "keep!");
  ASSERT_TRUE(tail_->Flush());
  EXPECT_EQ(FileContents(), "0123456789keep!");
}

TEST_F(SegmentTailTest, TruncateBeforeTheBlocksLeavesReadsToTheFile) {
  ASSERT_TRUE(tail_->Append(10, std::string(kBlock, 'x')));
  ASSERT_TRUE(tail_->Append(10 + kBlock, "yy"));
  ASSERT_TRUE(tail_->WriteFullBlock());  // the first block is in the file
  tail_->Truncate(12);
  ASSERT_TRUE(mem_env_.SetContents(kPath, "0123456789xx"));  // the caller cuts the file
  EXPECT_EQ(Read(0, 20), "0123456789xx");
  ASSERT_TRUE(tail_->Append(12, "zz"));
  EXPECT_EQ(Read(8, 10), "89xxzz");
}

TEST_F(SegmentTailTest, TruncateIntoTheFullBlockDropsTheCurrentOne) {
  ASSERT_TRUE(tail_->Append(10, std::string(kBlock, 'x')));
  ASSERT_TRUE(tail_->Append(10 + kBlock, "yy"));
  tail_->Truncate(13);
  EXPECT_EQ(Read(8, 10), "89xxx");
  auto again = tail_->Append(13, "!");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->block_full);  // the full block still waits, now 3 bytes
  EXPECT_EQ(Read(8, 10), "89xxx!");
  ASSERT_TRUE(tail_->Flush());
  EXPECT_EQ(FileContents(), "0123456789xxx!");
}

TEST_F(SegmentTailTest, HandsItselfToACheckpointOncePerWriteOut) {
  auto first = tail_->Append(10, "a");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->fresh);
  EXPECT_FALSE(tail_->Append(11, "b")->fresh);
  ASSERT_TRUE(tail_->WriteFullBlock());  // no full block: does not count
  EXPECT_FALSE(tail_->Append(12, "c")->fresh);
  ASSERT_TRUE(tail_->WriteOut());
  EXPECT_EQ(FileContents(), "0123456789abc");
  EXPECT_TRUE(tail_->Append(13, "d")->fresh);
}

TEST_F(SegmentTailTest, AFailedFlushKeepsTheBytesForTheNextOne) {
  ASSERT_TRUE(tail_->Append(10, "abc"));
  env_.SetSpaceLimit(11);
  EXPECT_FALSE(tail_->Flush());
  env_.SetSpaceLimit(std::nullopt);
  EXPECT_EQ(Read(10, 3), "abc");
  ASSERT_TRUE(tail_->WriteOut());
  EXPECT_EQ(FileContents(), "0123456789abc");
}

TEST_F(SegmentTailTest, DetachingWithBytesNotWrittenIsReportedByTheNextWriteOut) {
  ASSERT_TRUE(tail_->Append(10, "abc"));
  tail_->Detach();
  EXPECT_EQ(Read(10, 3), "abc");  // readers still have them
  Status lost = tail_->WriteOut();
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kInternal);
}

TEST_F(SegmentTailTest, DiscardedBytesAreNeitherReadNorReported) {
  ASSERT_TRUE(tail_->Append(10, "abc"));
  tail_->Discard();
  EXPECT_EQ(Read(10, 3), "");
  EXPECT_TRUE(tail_->WriteOut());
  EXPECT_EQ(FileContents(), "0123456789");
}

TEST_F(SegmentTailTest, DetachingOnceEverythingIsWrittenLeavesReadsToTheFile) {
  ASSERT_TRUE(tail_->Append(10, "abc"));
  ASSERT_TRUE(tail_->Flush());
  tail_->Detach();
  EXPECT_EQ(Read(0, 13), "0123456789abc");
  EXPECT_TRUE(tail_->WriteOut());
}

}  // namespace
}  // namespace sluice::storage
