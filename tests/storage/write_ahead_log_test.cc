#include "storage/write_ahead_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/gate.h"
#include "testutil/fault_env.h"
#include "testutil/mem_env.h"

namespace sluice::storage {
namespace {

constexpr char kLogDir[] = "/data/wal";

// Segment files stand-ins in /data/files: the log must bring back what power loss took
// from them.
class WriteAheadLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/data/files")); }

  std::unique_ptr<WriteAheadLog> OpenLog(WriteAheadLogOptions options = {64 << 10, 1 << 20}) {
    auto log = WriteAheadLog::Open(&env_, kLogDir, options);
    EXPECT_TRUE(log) << log.error().message;
    return log ? std::move(*log) : nullptr;
  }

  // A file with `size` durable bytes of 'a'.
  std::unique_ptr<WritableFile> MakeFile(const std::string& path, size_t size) {
    auto file = env_.OpenWritable(path, OpenMode::kCreateOrTruncate);
    EXPECT_TRUE(file);
    EXPECT_TRUE((*file)->WriteAt(0, std::string(size, 'a')));
    EXPECT_TRUE((*file)->Sync());
    EXPECT_TRUE(env_.SyncDir("/data/files"));
    return std::move(*file);
  }

  // Writes `bytes` to `file` (not synced) and logs the write.
  Status WriteAndLog(WriteAheadLog& log, WritableFile& file, const std::string& path,
                     uint64_t offset, const std::string& bytes) {
    if (auto status = file.WriteAt(offset, bytes); !status) return status;
    LoggedWrite write{path, offset, bytes};
    return log.Append(std::span<const LoggedWrite>(&write, 1));
  }

  std::string Contents(const std::string& path) { return *mem_env_.Contents(path); }

  testutil::MemEnv mem_env_;
  testutil::FaultEnv env_{&mem_env_};
};

TEST_F(WriteAheadLogTest, BringsBackLoggedWritesThatPowerLossTookFromTheFiles) {
  auto file = MakeFile("/data/files/a", 100);
  {
    auto log = OpenLog();
    ASSERT_TRUE(log);
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 100, "hello"));
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 105, " world"));
    env_.Freeze();  // the process dies: the files' writes were never synced
  }
  env_.SimulatePowerLoss(3);
  ASSERT_TRUE(mem_env_.SetContents("/data/files/a", std::string(100, 'a')));  // all lost

  auto log = OpenLog();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->replayed_writes(), 2u);
  EXPECT_EQ(Contents("/data/files/a"), std::string(100, 'a') + "hello world");
  // Replayed durably, and not again: the files were retired.
  env_.SimulatePowerLoss(4);
  EXPECT_EQ(Contents("/data/files/a"), std::string(100, 'a') + "hello world");
  log.reset();
  EXPECT_EQ(OpenLog()->replayed_writes(), 0u);
}

TEST_F(WriteAheadLogTest, OneEntryCarriesTheWritesOfManyFiles) {
  auto a = MakeFile("/data/files/a", 10);
  auto b = MakeFile("/data/files/b", 10);
  {
    auto log = OpenLog();
    ASSERT_TRUE(a->WriteAt(10, "AA"));
    ASSERT_TRUE(b->WriteAt(10, "BB"));
    std::vector<LoggedWrite> writes{{"/data/files/a", 10, "AA"}, {"/data/files/b", 10, "BB"}};
    const uint64_t syncs = env_.sync_count();
    ASSERT_TRUE(log->Append(writes));
    EXPECT_EQ(env_.sync_count() - syncs, 1u);  // one fdatasync, of the log file
    env_.Freeze();
  }
  env_.SimulatePowerLoss(3);
  ASSERT_TRUE(mem_env_.SetContents("/data/files/a", std::string(10, 'a')));
  ASSERT_TRUE(mem_env_.SetContents("/data/files/b", std::string(10, 'a')));
  OpenLog();
  EXPECT_EQ(Contents("/data/files/a"), std::string(10, 'a') + "AA");
  EXPECT_EQ(Contents("/data/files/b"), std::string(10, 'a') + "BB");
}

TEST_F(WriteAheadLogTest, LeavesRemovedFilesRemoved) {
  auto file = MakeFile("/data/files/gone", 10);
  {
    auto log = OpenLog();
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/gone", 10, "zz"));
  }
  file.reset();
  ASSERT_TRUE(env_.RemoveFile("/data/files/gone"));  // retention, or a deleted stream
  auto log = OpenLog();
  EXPECT_EQ(log->replayed_writes(), 0u);
  EXPECT_FALSE(mem_env_.FileExists("/data/files/gone"));
}

TEST_F(WriteAheadLogTest, ReplayStopsAtACorruptEntry) {
  auto file = MakeFile("/data/files/a", 0);
  {
    auto log = OpenLog();
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 0, "first"));
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 5, "second"));
    env_.Freeze();
  }
  env_.SimulatePowerLoss(3);
  ASSERT_TRUE(mem_env_.SetContents("/data/files/a", ""));
  // Flip the last byte of the second entry (the last logged byte in the file).
  std::string wal = Contents("/data/wal/wal-0");
  size_t last = wal.find_last_not_of('\0');
  ASSERT_NE(last, std::string::npos);
  wal[last] = 'X';
  ASSERT_TRUE(mem_env_.SetContents("/data/wal/wal-0", wal));
  auto log = OpenLog();
  EXPECT_EQ(log->replayed_writes(), 1u);
  EXPECT_EQ(Contents("/data/files/a"), "first");
}

TEST_F(WriteAheadLogTest, TakesTurnsBetweenItsFilesWithoutLosingAnything) {
  // Small files: the log switches many times; a checkpoint makes the full file's writes
  // durable in their file before retiring it.
  auto file = MakeFile("/data/files/a", 0);
  std::string expected;
  {
    auto log = OpenLog({16 << 10, 1 << 30});
    ASSERT_TRUE(log);
    for (int i = 0; i < 200; ++i) {
      std::string bytes(300 + i, static_cast<char>('a' + i % 26));
      ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", expected.size(), bytes));
      expected += bytes;
    }
    env_.Freeze();
  }
  EXPECT_GE(env_.file_system_sync_count(), 5u);  // checkpoints
  env_.SimulatePowerLoss(11);
  auto log = OpenLog({16 << 10, 1 << 30});
  EXPECT_GT(log->replayed_writes(), 0u);
  EXPECT_EQ(Contents("/data/files/a"), expected);
}

TEST_F(WriteAheadLogTest, SyncsTheFilesOnceCheckpointBytesAreLogged) {
  // Long before the 1 MiB file fills, so that the files reach the disk steadily.
  auto file = MakeFile("/data/files/a", 0);
  auto log = OpenLog({1 << 20, 4 << 10});
  const uint64_t before = env_.file_system_sync_count();
  for (uint64_t offset = 0; offset < 5000; offset += 1000) {
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", offset, std::string(1000, 'q')));
  }
  EXPECT_TRUE(WaitFor([&] { return env_.file_system_sync_count() > before; }));
}

TEST_F(WriteAheadLogTest, AFailedAppendStopsTheLogAndIsNeverReplayed) {
  auto file = MakeFile("/data/files/a", 0);
  {
    auto log = OpenLog();
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 0, "kept"));
    env_.FailSyncs(1);
    Status failed = WriteAndLog(*log, *file, "/data/files/a", 4, "lost");
    ASSERT_FALSE(failed);
    EXPECT_FALSE(log->usable());
    EXPECT_FALSE(WriteAndLog(*log, *file, "/data/files/a", 4, "more"));
    // The caller rewinds the file, as a shard log does after a failed sync.
    ASSERT_TRUE(file->Truncate(4));
    ASSERT_TRUE(file->Sync());
  }
  auto log = OpenLog();
  EXPECT_EQ(log->replayed_writes(), 0u);
  EXPECT_EQ(Contents("/data/files/a"), "kept");
  EXPECT_TRUE(log->usable());
}

TEST_F(WriteAheadLogTest, RefusesAnEntryLargerThanAFileAndStaysUsable) {
  auto file = MakeFile("/data/files/a", 0);
  auto log = OpenLog({16 << 10, 1 << 20});
  Status refused = WriteAndLog(*log, *file, "/data/files/a", 0, std::string(20 << 10, 'x'));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(log->usable());
  EXPECT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 0, "small"));
}

}  // namespace
}  // namespace sluice::storage
