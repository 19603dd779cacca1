#include "storage/flusher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "storage/frame.h"
#include "storage/gate.h"
#include "storage/log_test_base.h"
#include "storage/segment_tail.h"

namespace sluice::storage {
namespace {

using Op = testutil::FaultEnv::Op;

class FlusherTest : public LogTestBase {
 protected:
  // `count` logs in /data/<folder>/<i> on `flusher`; fewer if one fails to open.
  std::vector<std::unique_ptr<ShardLog>> OpenLogs(Flusher* flusher, const std::string& folder,
                                                  int count) {
    std::vector<std::unique_ptr<ShardLog>> logs;
    for (int i = 0; i < count; ++i) {
      auto log = ShardLog::Open(&env_, flusher, "/data/" + folder + "/" + std::to_string(i),
                                SmallOptions());
      EXPECT_TRUE(log) << log.error().message;
      if (!log) break;
      logs.push_back(std::move(*log));
    }
    return logs;
  }
  // OpenLogs, each log then past its first cycle: one batch (MakeRecords(2, 100, 1))
  // appended, which creates its segment and so syncs its files even with a write-ahead
  // log. Fewer if an append fails.
  std::vector<std::unique_ptr<ShardLog>> OpenLogsWithSegments(Flusher* flusher,
                                                              const std::string& folder,
                                                              int count) {
    std::vector<std::unique_ptr<ShardLog>> logs = OpenLogs(flusher, folder, count);
    const auto records = MakeRecords(2, 100, 1);
    for (size_t i = 0; i < logs.size(); ++i) {
      auto appended = logs[i]->AppendBatch(Inputs(records));
      EXPECT_TRUE(appended) << appended.error().message;
      if (!appended) logs.resize(i);
    }
    return logs;
  }
};

// Keeps the flusher thread busy with a task until Release (or destruction), so that its
// next cycle takes every append made meanwhile.
class FlusherHold {
 public:
  explicit FlusherHold(Flusher& flusher)
      : released_(release_.get_future()), thread_([this, &flusher] {
          (void)flusher.RunOnFlusherThread([this] {
            holding_ = true;
            released_.wait();
            return Ok();
          });
        }) {}
  ~FlusherHold() { Release(); }
  FlusherHold(const FlusherHold&) = delete;
  FlusherHold& operator=(const FlusherHold&) = delete;

  bool WaitUntilHolding() {
    return WaitFor([this] { return holding_.load(); });
  }
  void Release() {
    if (!thread_.joinable()) return;
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> release_;
  std::future<void> released_;
  std::atomic<bool> holding_{false};
  std::thread thread_;
};

// Submits one sync job in its first cycle and waits for it in that cycle's FinishCycle,
// which the flusher must call only once the cycle's jobs are handed to the sync threads
// (WaitSync asserts that the job was).
class OneSyncClient final : public FlushClient {
 public:
  explicit OneSyncClient(Flusher& flusher) : flusher_(flusher) { job_.client = this; }
  void FlushCycle() override {
    if (cycles_++ == 0) flusher_.SubmitSync(&job_);
  }
  void FinishCycle() override {
    if (cycles_ != 1 || finished_) return;
    flusher_.WaitSync(&job_);
    finished_ = job_.status.has_value();
  }
  void Tick() override {}
  bool finished() const { return finished_; }

 private:
  Flusher& flusher_;
  SyncJob job_;
  int cycles_ = 0;  // flusher thread only
  std::atomic<bool> finished_{false};
};

TEST_F(FlusherTest, FinishCycleRunsOnceTheCyclesSyncsAreHandedOver) {
  OneSyncClient client(*flusher_);
  flusher_->Register(&client);
  flusher_->Notify(&client);
  for (int i = 0; i < 500 && !client.finished(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(client.finished());
  flusher_->Unregister(&client);
}

TEST_F(FlusherTest, RunsTasksOnItsThread) {
  bool on_flusher = false;
  ASSERT_TRUE(flusher_->RunOnFlusherThread([&] {
    on_flusher = flusher_->OnFlusherThread();
    return Ok();
  }));
  EXPECT_TRUE(on_flusher);
  EXPECT_FALSE(flusher_->OnFlusherThread());
  Status failed = flusher_->RunOnFlusherThread([] { return Fail(ErrorCode::kInternal, "boom"); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "boom");
}

TEST_F(FlusherTest, RejectsANonPositiveTick) {
  auto flusher = Flusher::Start(FlusherOptions{0});
  ASSERT_FALSE(flusher);
  EXPECT_EQ(flusher.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(FlusherTest, GroupsTheAppendsOfEveryShardWhileADiskSyncRuns) {
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogs(flusher_.get(), "s", 4);
  ASSERT_EQ(logs.size(), 4u);
  Gate gate(env_, Op::kSync);
  gate.Close();
  auto records = MakeRecords(2, 100, 1);
  std::atomic<int> done{0};
  const AppendCallback count = CountSuccess(done);
  ASSERT_TRUE(logs[0]->AppendAsync(Inputs(records), count));
  ASSERT_TRUE(gate.WaitUntilBlocked());
  for (int i = 1; i < 4; ++i) {
    for (int batch = 0; batch < 5; ++batch)
      ASSERT_TRUE(logs[i]->AppendAsync(Inputs(records), count));
  }
  // Every shard's appends are written while the first sync holds the disk.
  uint64_t batch_bytes = RecordFrameSize(records[0].input()) + RecordFrameSize(records[1].input());
  ASSERT_TRUE(WaitFor([&] {
    for (int i = 1; i < 4; ++i) {
      if (logs[i]->stats().bytes_written != 5 * batch_bytes) return false;
    }
    return true;
  }));
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 16; }));
  for (int i = 1; i < 4; ++i) {
    // Five appends: the first batch the flusher wrote, then everything written behind it.
    EXPECT_LE(logs[i]->stats().syncs, 2u);
    EXPECT_EQ(logs[i]->tail_position(), 10u);
  }
}

TEST_F(FlusherTest, WriteAheadLogMakesACyclesShardsDurableWithOneFileSync) {
  auto flusher = StartFlusherWithLog();
  ASSERT_NE(flusher, nullptr);
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogsWithSegments(flusher.get(), "w", 8);
  ASSERT_EQ(logs.size(), 8u);
  auto records = MakeRecords(2, 100, 1);
  // Hold the flusher thread while every shard gets its append, so that one cycle takes them.
  FlusherHold hold(*flusher);
  ASSERT_TRUE(hold.WaitUntilHolding());
  std::atomic<int> done{0};
  for (auto& log : logs) ASSERT_TRUE(log->AppendAsync(Inputs(records), CountSuccess(done)));
  const uint64_t syncs_before = env_.sync_count();
  const uint64_t file_system_syncs_before = env_.file_system_sync_count();
  hold.Release();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 8; }));
  EXPECT_EQ(env_.sync_count() - syncs_before, 1u);  // the log's
  EXPECT_EQ(env_.file_system_sync_count() - file_system_syncs_before, 0u);
  for (auto& log : logs) EXPECT_EQ(log->tail_position(), 4u);
}

TEST_F(FlusherTest, WithTheWriteAheadLogTheFlusherAcknowledgesWhatItLogsWithoutTheSyncThreads) {
  // The one sync thread is held in the segment sync of a cycle the log cannot take (log
  // files of 8 KiB take entries of at most 4 KiB; the record has 6 KiB); the shards the
  // log takes complete meanwhile.
  auto flusher =
      StartFlusherWithLog(WriteAheadLogOptions{8 << 10, 1 << 20}, FlusherOptions{10, 1, 4});
  ASSERT_NE(flusher, nullptr);
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogsWithSegments(flusher.get(), "s", 3);
  ASSERT_EQ(logs.size(), 3u);
  Gate gate(env_, Op::kSync);  // segment files only
  gate.Close();
  std::atomic<int> large_done{0};
  ASSERT_TRUE(logs[0]->AppendAsync(Inputs(MakeRecords(1, 6 << 10, 2)), CountSuccess(large_done)));
  ASSERT_TRUE(gate.WaitUntilBlocked());
  auto records = MakeRecords(2, 100, 1);
  std::atomic<int> done{0};
  for (size_t i = 1; i < logs.size(); ++i) {
    ASSERT_TRUE(logs[i]->AppendAsync(Inputs(records), CountSuccess(done)));
  }
  ASSERT_TRUE(WaitFor([&] { return done.load() == 2; }));
  EXPECT_EQ(large_done.load(), 0);
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return large_done.load() == 1; }));
  for (auto& log : logs) EXPECT_EQ(log->tail_position(), log == logs[0] ? 3u : 4u);
}

TEST_F(FlusherTest, WithTheWriteAheadLogAFullTailBlockReachesItsFileWithoutASync) {
  // The write-behind thread writes it; nothing else would before the file is synced or
  // the block after it fills too.
  auto flusher = StartFlusherWithLog();
  ASSERT_NE(flusher, nullptr);
  ShardLogOptions options = SmallOptions();
  options.segment_bytes = 4 << 20;
  options.preallocate_bytes = 1 << 20;
  auto log = ShardLog::Open(&env_, flusher.get(), "/data/wb/0", options);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_TRUE((*log)->AppendBatch(Inputs(MakeRecords(2, 100, 1))));  // creates the segment
  const auto first = MakeRecords(40, 1000, 2);
  ASSERT_TRUE((*log)->AppendBatch(Inputs(first)));
  // 40 KB a batch until the first block fills and the next has started.
  for (uint64_t batch = 3; (batch - 2) * 40'000 < SegmentTail::kBlockBytes + 40'000; ++batch) {
    ASSERT_TRUE((*log)->AppendBatch(Inputs(MakeRecords(40, 1000, batch))));
  }
  const std::string path = "/data/wb/0/" + SegmentFileName(0);
  EXPECT_TRUE(
      WaitFor([&] { return mem_env_.Contents(path)->find(first[0].data) != std::string::npos; }));
}

TEST_F(FlusherTest, NothingIsAcknowledgedOnceTheWriteAheadLogHasStopped) {
  // Else a later append could reuse the positions of the failed entry, which the next
  // start replays.
  auto flusher = StartFlusherWithLog();
  ASSERT_NE(flusher, nullptr);
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogsWithSegments(flusher.get(), "s", 2);
  ASSERT_EQ(logs.size(), 2u);
  auto records = MakeRecords(2, 100, 1);
  ASSERT_TRUE(logs[0]->AppendBatch(Inputs(records)));  // through the log
  EXPECT_TRUE(flusher->write_ahead_log_status());
  env_.FailSyncs(1);
  EXPECT_FALSE(logs[0]->AppendBatch(Inputs(records)));
  EXPECT_FALSE(flusher->write_ahead_log_status());
  for (auto& log : logs) {
    auto refused = log->AppendBatch(Inputs(records));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("write-ahead log stopped"), std::string::npos)
        << refused.error().message;
  }
}

TEST_F(FlusherTest, WithTheWriteAheadLogTheNewestRecordsAreReadFromMemoryUntilTheFileHasThem) {
  auto flusher = StartFlusherWithLog();
  ASSERT_NE(flusher, nullptr);
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogsWithSegments(flusher.get(), "m", 1);
  ASSERT_EQ(logs.size(), 1u);
  auto logged = MakeRecords(3, 100, 2);
  ASSERT_TRUE(logs[0]->AppendBatch(Inputs(logged)));
  const std::string path = "/data/m/0/" + SegmentFileName(0);
  EXPECT_EQ(mem_env_.Contents(path)->find(logged[2].data), std::string::npos);
  std::vector<OwnedRecord> read = ReadAll(*logs[0]);
  ASSERT_EQ(read.size(), 5u);
  EXPECT_EQ(read[4].data, logged[2].data);
  ASSERT_TRUE(logs[0]->Close());
  EXPECT_NE(mem_env_.Contents(path)->find(logged[2].data), std::string::npos);
}

TEST_F(FlusherTest, ACycleTheWriteAheadLogCannotTakeReachesItsFilesBeforeTheirSync) {
  // Log files of 8 KiB take entries of at most 4 KiB: a 6 KiB record syncs its segment.
  auto flusher = StartFlusherWithLog(WriteAheadLogOptions{8 << 10, 1 << 20});
  ASSERT_NE(flusher, nullptr);
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogsWithSegments(flusher.get(), "big", 1);
  ASSERT_EQ(logs.size(), 1u);
  ASSERT_TRUE(logs[0]->AppendBatch(Inputs(MakeRecords(2, 100, 2))));  // logged, held back
  auto large = MakeRecords(1, 6 << 10, 3);
  ASSERT_TRUE(logs[0]->AppendBatch(Inputs(large)));
  env_.Freeze();  // the process dies
  logs.clear();
  flusher.reset();
  env_.SimulatePowerLoss(5);
  const std::string path = "/data/big/0/" + SegmentFileName(0);
  EXPECT_NE(mem_env_.Contents(path)->find(large[0].data), std::string::npos);
}

TEST_F(FlusherTest, NoticesGatheredForOneRequestReachTheFlusherWhenTheyGoOutOfScope) {
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogsWithSegments(flusher_.get(), "n", 4);
  ASSERT_EQ(logs.size(), 4u);
  auto records = MakeRecords(2, 100, 1);
  std::atomic<int> done{0};
  {
    FlushNotices notices(flusher_.get(), logs.size());
    for (auto& log : logs) {
      ASSERT_TRUE(log->AppendAsync(Inputs(records), CountSuccess(done), &notices));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(done.load(), 0);  // the flusher has not heard of them yet
  }
  ASSERT_TRUE(WaitFor([&] { return done.load() == 4; }));
  for (auto& log : logs) EXPECT_EQ(log->tail_position(), 4u);
}

TEST_F(FlusherTest, OneFileSystemSyncCoversShardsWaitingTogether) {
  // One sync thread: while it holds the first shard's sync, the other shards queue up,
  // and then one syncfs covers them all.
  auto flusher = Flusher::Start(FlusherOptions{10, 1, 4});
  ASSERT_TRUE(flusher);
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogs(flusher->get(), "b", 8);
  ASSERT_EQ(logs.size(), 8u);
  Gate gate(env_, Op::kSync);
  gate.Close();
  auto records = MakeRecords(2, 100, 1);
  std::atomic<int> done{0};
  const AppendCallback count = CountSuccess(done);
  const uint64_t syncs_before = env_.sync_count();
  ASSERT_TRUE(logs[0]->AppendAsync(Inputs(records), count));
  ASSERT_TRUE(gate.WaitUntilBlocked());
  for (size_t i = 1; i < logs.size(); ++i) {
    ASSERT_TRUE(logs[i]->AppendAsync(Inputs(records), count));
  }
  ASSERT_TRUE(WaitFor([&] { return (*flusher)->queued_sync_jobs() == 7; }));
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 8; }));
  EXPECT_EQ(env_.sync_count() - syncs_before, 1u);
  EXPECT_EQ(env_.file_system_sync_count(), 1u);
  // Durable: nothing acknowledged is lost by a power cut.
  for (auto& log : logs) ASSERT_TRUE(log->Close());
  logs.clear();
  env_.SimulatePowerLoss(7);
  logs = OpenLogs(flusher->get(), "b", 8);
  ASSERT_EQ(logs.size(), 8u);
  for (auto& log : logs) EXPECT_EQ(log->tail_position(), 2u);
}

TEST_F(FlusherTest, ShardsOfOneCycleShareOneFileSystemSync) {
  // Several sync threads idle: the syncs a cycle starts reach them together, so the first
  // thread to wake takes them all instead of each thread taking the first one it sees.
  auto flusher = Flusher::Start(FlusherOptions{10, 4, 4});
  ASSERT_TRUE(flusher);
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogs(flusher->get(), "c", 8);
  ASSERT_EQ(logs.size(), 8u);
  // Hold the flusher thread while every shard gets its append, so that one cycle takes them.
  FlusherHold hold(**flusher);
  ASSERT_TRUE(hold.WaitUntilHolding());
  auto records = MakeRecords(2, 100, 1);
  std::atomic<int> done{0};
  for (auto& log : logs) {
    ASSERT_TRUE(log->AppendAsync(Inputs(records), CountSuccess(done)));
  }
  const uint64_t syncs_before = env_.sync_count();
  hold.Release();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 8; }));
  EXPECT_EQ(env_.file_system_sync_count(), 1u);
  EXPECT_EQ(env_.sync_count() - syncs_before, 0u);  // no shard synced its files alone
  for (auto& log : logs) ASSERT_TRUE(log->Close());
}

TEST_F(FlusherTest, ManyWritersOnManyShardsAllComplete) {
  std::vector<std::unique_ptr<ShardLog>> logs = OpenLogs(flusher_.get(), "m", 3);
  ASSERT_EQ(logs.size(), 3u);
  std::vector<std::thread> writers;
  for (int w = 0; w < 6; ++w) {
    writers.emplace_back([&, w] {
      auto records = MakeRecords(5, 120, static_cast<uint64_t>(w));
      for (int batch = 0; batch < 40; ++batch) {
        EXPECT_TRUE(logs[static_cast<size_t>(w) % 3]->AppendBatch(Inputs(records)));
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  for (const auto& log : logs) {
    EXPECT_EQ(log->tail_position(), 2u * 40 * 5);
    EXPECT_EQ(ReadAll(*log).size(), 400u);
    EXPECT_TRUE(log->Verify());
  }
}

}  // namespace
}  // namespace sluice::storage
