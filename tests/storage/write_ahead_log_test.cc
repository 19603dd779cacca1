#include "storage/write_ahead_log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/gate.h"
#include "testutil/fault_env.h"
#include "testutil/mem_env.h"

namespace sluice::storage {
namespace {

constexpr char kRoot[] = "/data";  // the log is in /data/wal

// Segment files stand-ins in /data/files: the log must bring back what power loss took
// from them.
class WriteAheadLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/data/files")); }

  std::unique_ptr<WriteAheadLog> OpenLog(WriteAheadLogOptions options = {64 << 10, 1 << 20}) {
    auto log = WriteAheadLog::Open(&env_, kRoot, options);
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

  // Writes held back from `file` until a checkpoint writes them out (as SegmentTail).
  class HeldWrites final : public DeferredWrites {
   public:
    explicit HeldWrites(WritableFile& file) : file_(file) {}
    void Hold(uint64_t offset, std::string bytes) {
      std::lock_guard lock(mu_);
      held_.emplace_back(offset, std::move(bytes));
    }
    Status WriteOut() override {
      std::lock_guard lock(mu_);
      if (fail_) return Fail(ErrorCode::kUnavailable, "write out failed");
      for (const auto& [offset, bytes] : held_) {
        if (auto status = file_.WriteAt(offset, bytes); !status) return status;
      }
      held_.clear();
      return Ok();
    }
    void FailWriteOuts() {
      std::lock_guard lock(mu_);
      fail_ = true;
    }

   private:
    WritableFile& file_;
    std::mutex mu_;
    std::vector<std::pair<uint64_t, std::string>> held_;
    bool fail_ = false;
  };

  // Logs `bytes` at `offset` of "/data/files/a" without writing the file: `held` has
  // them, and the log was told (as the shard writers do).
  static Status HoldAndLog(WriteAheadLog& log, const std::shared_ptr<HeldWrites>& held,
                           uint64_t offset, const std::string& bytes) {
    held->Hold(offset, bytes);
    log.Defer(held);
    LoggedWrite write{"/data/files/a", offset, bytes};
    return log.Append(std::span<const LoggedWrite>(&write, 1));
  }

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
  EXPECT_EQ(log->skipped_writes(), 1u);
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

TEST_F(WriteAheadLogTest, AFailedAppendStopsTheLogForGoodAndIsReplayedWhole) {
  auto file = MakeFile("/data/files/a", 0);
  {
    auto log = OpenLog();
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 0, "kept"));
    env_.FailSyncs(1);
    Status failed = WriteAndLog(*log, *file, "/data/files/a", 4, "lost");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kInternal);
    EXPECT_FALSE(log->status());
    EXPECT_FALSE(WriteAndLog(*log, *file, "/data/files/a", 8, "more"));
  }
  // The failed entry may have reached the disk: nothing was retired, so it comes back
  // whole with the rest (here every write of the log file survived).
  ASSERT_TRUE(mem_env_.SetContents("/data/files/a", ""));
  auto log = OpenLog();
  EXPECT_EQ(Contents("/data/files/a"), "keptlost");
  EXPECT_TRUE(log->status());
}

TEST_F(WriteAheadLogTest, AFailedCheckpointStopsTheLogAndKeepsItsEntries) {
  auto file = MakeFile("/data/files/a", 0);
  {
    auto log = OpenLog({1 << 20, 4 << 10});
    env_.FailFileSystemSyncs(1);
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 0, std::string(5000, 'c')));
    ASSERT_TRUE(WaitFor([&] { return !log->status(); }));
    EXPECT_FALSE(WriteAndLog(*log, *file, "/data/files/a", 5000, "x"));
    env_.Freeze();
  }
  env_.SimulatePowerLoss(6);
  ASSERT_TRUE(mem_env_.SetContents("/data/files/a", ""));
  OpenLog();
  EXPECT_EQ(Contents("/data/files/a"), std::string(5000, 'c'));
}

TEST_F(WriteAheadLogTest, RefusesAPathOutsideItsRootAndStaysUsable) {
  auto log = OpenLog();
  LoggedWrite write{"/elsewhere/a", 0, "x"};
  Status refused = log->Append(std::span<const LoggedWrite>(&write, 1));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(log->status());
}

TEST_F(WriteAheadLogTest, NamesFilesRelativeToItsRootSoTheFolderMayMove) {
  auto file = MakeFile("/data/files/a", 0);
  {
    auto log = OpenLog();
    ASSERT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 0, "moved"));
    env_.Freeze();
  }
  env_.SimulatePowerLoss(7);
  ASSERT_TRUE(env_.CreateDirs("/moved/wal"));
  ASSERT_TRUE(env_.CreateDirs("/moved/files"));
  for (const char* name : {"wal/wal-0", "wal/wal-1", "files/a"}) {
    auto moved = env_.OpenWritable(JoinPath("/moved", name), OpenMode::kCreateOrTruncate);
    ASSERT_TRUE(moved);
    ASSERT_TRUE(mem_env_.SetContents(JoinPath("/moved", name), Contents(JoinPath("/data", name))));
  }
  ASSERT_TRUE(mem_env_.SetContents("/moved/files/a", ""));  // lost with the power
  auto log = WriteAheadLog::Open(&env_, "/moved", {64 << 10, 1 << 20});
  ASSERT_TRUE(log);
  EXPECT_EQ(Contents("/moved/files/a"), "moved");
}

TEST_F(WriteAheadLogTest, RefusesAnEntryLargerThanAFileAndStaysUsable) {
  auto file = MakeFile("/data/files/a", 0);
  auto log = OpenLog({16 << 10, 1 << 20});
  Status refused = WriteAndLog(*log, *file, "/data/files/a", 0, std::string(20 << 10, 'x'));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(log->status());
  EXPECT_TRUE(WriteAndLog(*log, *file, "/data/files/a", 0, "small"));
}

}  // namespace
}  // namespace sluice::storage

namespace sluice::storage {
namespace {

TEST_F(WriteAheadLogTest, WritesOutDeferredWritesBeforeRetiringTheEntriesThatHoldThem) {
  auto file = MakeFile("/data/files/a", 0);
  std::string expected;
  {
    auto log = OpenLog({16 << 10, 1 << 30});
    ASSERT_TRUE(log);
    auto held = std::make_shared<HeldWrites>(*file);
    for (int i = 0; i < 200; ++i) {
      std::string bytes(300 + i, static_cast<char>('a' + i % 26));
      ASSERT_TRUE(HoldAndLog(*log, held, expected.size(), bytes));
      expected += bytes;
    }
    env_.Freeze();
  }
  // Retired entries are no longer replayed: only the write-outs kept their bytes.
  env_.SimulatePowerLoss(12);
  auto log = OpenLog({16 << 10, 1 << 30});
  EXPECT_EQ(Contents("/data/files/a"), expected);
}

TEST_F(WriteAheadLogTest, AFailedWriteOutStopsTheLogAndRetiresNothing) {
  auto file = MakeFile("/data/files/a", 0);
  std::string expected;
  {
    auto log = OpenLog({16 << 10, 1 << 30});
    auto held = std::make_shared<HeldWrites>(*file);
    held->FailWriteOuts();
    Status status = Ok();
    for (int i = 0; i < 100 && status; ++i) {
      std::string bytes(500, static_cast<char>('a' + i % 26));
      status = HoldAndLog(*log, held, expected.size(), bytes);
      if (status) expected += bytes;
    }
    ASSERT_TRUE(WaitFor([&] { return !log->status(); }));
    env_.Freeze();
  }
  env_.SimulatePowerLoss(13);
  auto log = OpenLog({16 << 10, 1 << 30});
  // Every acknowledged write comes back from the log (a failed append's may follow).
  EXPECT_EQ(Contents("/data/files/a").substr(0, expected.size()), expected);
}

}  // namespace
}  // namespace sluice::storage
