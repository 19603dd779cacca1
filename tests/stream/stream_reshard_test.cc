// Resharding through the StreamManager: SplitShard, MergeShards, UpdateShardCount, the
// lineage they leave, reads across it, restarts and the expiry of closed shards.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "stream/sequence_number.h"
#include "stream_manager_fixture.h"

namespace sluice::stream {
namespace {

class StreamReshardTest : public StreamManagerTest {
 protected:
  std::vector<TestRecord> Entries(const std::string& prefix, int count) {
    std::vector<TestRecord> entries;
    for (int i = 0; i < count; ++i) {
      entries.push_back(TestRecord{prefix + std::to_string(i), "key" + std::to_string(i), {}});
    }
    return entries;
  }
  // Waits for the stream to go through UPDATING back to ACTIVE.
  void Settle(const std::string& name) { ASSERT_TRUE(WaitFor(name, StreamStatus::kActive)); }
  std::vector<ShardInfo> Shards(const std::string& name) {
    return manager_->Describe(name)->shards;
  }
  std::vector<ShardInfo> OpenShards(const std::string& name) {
    std::vector<ShardInfo> open;
    for (const ShardInfo& shard : Shards(name)) {
      if (shard.open()) open.push_back(shard);
    }
    return open;
  }
  // Every record of one shard, following iterators to the shard's end (or its tail).
  std::vector<std::string> ReadShard(const std::string& name, uint32_t index,
                                     std::vector<ShardInfo>* children = nullptr) {
    auto iterator =
        manager_->GetShardIterator(name, ShardIdOf(index), Req(IteratorType::kTrimHorizon));
    EXPECT_TRUE(iterator) << iterator.error().message;
    std::vector<std::string> data;
    std::optional<std::string> next = *iterator;
    while (next) {
      auto read = GetRecords(*next, 10000);
      EXPECT_TRUE(read) << read.error().message;
      if (!read) break;
      for (const storage::Record& record : read->batch.records()) data.emplace_back(record.data);
      if (children) *children = read->children;
      if (read->batch.empty()) break;
      next = read->next_iterator;
    }
    return data;
  }
  StreamManagerOptions Options() const {
    StreamManagerOptions options = StreamManagerTest::Options();
    options.enforce_limits = false;
    options.clock = [this] { return now_ms_.load(); };
    return options;
  }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-stream-reshard-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    Reopen(Options());
  }
  // A clock the test moves: time passes only when the test says so.
  void Advance(int64_t ms) { now_ms_ += ms; }
  void Tick() override { Advance(5); }

  std::atomic<int64_t> now_ms_{1'700'000'000'000};
};

TEST_F(StreamReshardTest, SplitClosesTheParentAndSendsItsKeysToTheChildren) {
  CreateActive("s", 1);
  ASSERT_TRUE(Put("s", Entries("before-", 50)));
  ASSERT_TRUE(manager_->SplitShard("s", "shardId-000000000000", HashKey{1} << 127));
  EXPECT_EQ(manager_->Describe("s")->status, StreamStatus::kUpdating);
  EXPECT_FALSE(manager_->SplitShard("s", "shardId-000000000000", 5)) << "allowed while UPDATING";
  Settle("s");
  auto outcomes = Put("s", Entries("after-", 50));
  ASSERT_TRUE(outcomes);
  for (const PutOutcome& outcome : *outcomes) EXPECT_NE(outcome.shard_index, 0u);

  const std::vector<ShardInfo> shards = Shards("s");
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(shards[0].end_position, 50u);
  EXPECT_EQ(shards[1].parent_index, 0u);
  EXPECT_EQ(shards[2].parent_index, 0u);
  EXPECT_EQ(shards[1].range.start, 0u);
  EXPECT_EQ(shards[1].range.end + 1, shards[2].range.start);
  EXPECT_EQ(shards[2].range.end, kMaxHashKey);

  std::vector<ShardInfo> children;
  EXPECT_EQ(ReadShard("s", 0, &children).size(), 50u);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].index, 1u);
  EXPECT_EQ(ReadShard("s", 1).size() + ReadShard("s", 2).size(), 50u);
}

TEST_F(StreamReshardTest, RefusesBadSplitsAndMerges) {
  CreateActive("s", 3);
  auto split = manager_->SplitShard("s", "shardId-000000000000", 0);
  ASSERT_FALSE(split);
  EXPECT_EQ(split.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(manager_->SplitShard("s", "shardId-000000000009", 5).error().code,
            ErrorCode::kNotFound);
  auto merge = manager_->MergeShards("s", "shardId-000000000000", "shardId-000000000002");
  ASSERT_FALSE(merge);
  EXPECT_NE(merge.error().message.find("not an adjacent pair"), std::string::npos);
  EXPECT_EQ(manager_->UpdateShardCount("s", 7).error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(manager_->UpdateShardCount("s", 1).error().code, ErrorCode::kResourceExhausted);
  ASSERT_TRUE(manager_->CreateStream({"od", StreamMode::kOnDemand, std::nullopt, {}}));
  ASSERT_TRUE(WaitFor("od", StreamStatus::kActive));
  EXPECT_EQ(manager_->SplitShard("od", "shardId-000000000000", 5).error().wire_type,
            "ValidationException");
}

TEST_F(StreamReshardTest, MergeJoinsTwoAdjacentShardsWithBothAsParents) {
  CreateActive("s", 2);
  ASSERT_TRUE(Put("s", Entries("x", 40)));
  ASSERT_TRUE(manager_->MergeShards("s", "shardId-000000000001", "shardId-000000000000"));
  Settle("s");
  const std::vector<ShardInfo> open = OpenShards("s");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].parent_index, 1u);
  EXPECT_EQ(open[0].adjacent_parent_index, 0u);
  EXPECT_EQ(open[0].range, (HashKeyRange{0, kMaxHashKey}));
  std::vector<ShardInfo> children;
  ReadShard("s", 0, &children);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].index, 2u);
  auto merged = manager_->MergeShards("s", "shardId-000000000000", "shardId-000000000002");
  EXPECT_NE(merged.error().message.find("already been merged or split"), std::string::npos);
}

TEST_F(StreamReshardTest, UpdateShardCountScalesUniformlyThroughOrdinaryReshards) {
  CreateActive("s", 4);
  for (uint32_t target : {6u, 3u, 5u}) {
    auto current = manager_->UpdateShardCount("s", target);
    ASSERT_TRUE(current) << current.error().message;
    Settle("s");
    std::vector<HashKeyRange> ranges;
    for (const ShardInfo& shard : OpenShards("s")) ranges.push_back(shard.range);
    std::sort(ranges.begin(), ranges.end(),
              [](const HashKeyRange& a, const HashKeyRange& b) { return a.start < b.start; });
    EXPECT_EQ(ranges, SplitHashKeySpace(target)) << "target " << target;
  }
}

TEST_F(StreamReshardTest, UpdateShardCountIsLimitedToTenCallsPerRolling24Hours) {
  StreamManagerOptions options = Options();
  options.enforce_limits = true;
  Reopen(options);
  CreateActive("s", 2);
  for (int call = 0; call < 10; ++call) {
    ASSERT_TRUE(manager_->UpdateShardCount("s", call % 2 == 0 ? 3 : 2)) << "call " << call;
    Settle("s");
    Advance(60'000);
  }
  auto refused = manager_->UpdateShardCount("s", 3);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(refused.error().message.find("rolling 24-hour period"), std::string::npos);
  // The count survives a restart.
  Reopen(options);
  ASSERT_TRUE(WaitFor("s", StreamStatus::kActive));
  EXPECT_FALSE(manager_->UpdateShardCount("s", 3));
  // A day after the first call, one more is allowed, and then none again.
  Advance(24 * 3'600'000 - 10 * 60'000 + 1);
  auto allowed = manager_->UpdateShardCount("s", 3);
  ASSERT_TRUE(allowed) << allowed.error().message;
  Settle("s");
  EXPECT_FALSE(manager_->UpdateShardCount("s", 2));
  // Other resharding is not counted.
  const ShardInfo open = OpenShards("s").front();
  auto split = manager_->SplitShard("s", ShardIdOf(open.index), open.range.start + 1);
  EXPECT_TRUE(split) << split.error().message;
}

TEST_F(StreamReshardTest, UpdateStreamModeIsLimitedToTwoCallsPerRolling24Hours) {
  StreamManagerOptions options = Options();
  options.enforce_limits = true;
  Reopen(options);
  CreateActive("s", 2);
  ASSERT_TRUE(manager_->UpdateStreamMode("s", StreamMode::kOnDemand));
  Settle("s");
  ASSERT_TRUE(manager_->UpdateStreamMode("s", StreamMode::kProvisioned));
  Settle("s");
  auto refused = manager_->UpdateStreamMode("s", StreamMode::kOnDemand);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(refused.error().message.find("UpdateStreamMode"), std::string::npos);
  Reopen(options);
  ASSERT_TRUE(WaitFor("s", StreamStatus::kActive));
  EXPECT_FALSE(manager_->UpdateStreamMode("s", StreamMode::kOnDemand));
  Advance(24 * 3'600'000);
  EXPECT_TRUE(manager_->UpdateStreamMode("s", StreamMode::kOnDemand));
}

TEST_F(StreamReshardTest, AnAcceptedUpdateHoldsItsShardsAgainstTheAccountLimit) {
  CreateActive("a", 8);  // the fixture's account allows 20 open shards
  ASSERT_TRUE(manager_->UpdateShardCount("a", 16));
  // Still UPDATING (the clock has not moved): 8 open, 8 more promised.
  auto refused = manager_->CreateStream({"b", StreamMode::kProvisioned, 5, {}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(manager_->Limits().reserved_shard_count, 8);
  Settle("a");
  EXPECT_EQ(manager_->Limits().reserved_shard_count, 0);
  EXPECT_EQ(manager_->Limits().open_shard_count, 16);
  EXPECT_TRUE(manager_->CreateStream({"b", StreamMode::kProvisioned, 4, {}}));
}

TEST_F(StreamReshardTest, WritesDuringReshardsAreNeitherLostNorReordered) {
  CreateActive("s", 2);
  std::atomic<bool> stop{false};
  std::map<std::string, std::vector<std::string>> written;  // key -> data in order
  std::thread writer([&] {
    for (int round = 0; !stop; ++round) {
      std::vector<TestRecord> entries;
      for (int k = 0; k < 20; ++k) {
        entries.push_back(TestRecord{std::to_string(round), "key" + std::to_string(k), {}});
      }
      auto outcomes = Put("s", entries);
      ASSERT_TRUE(outcomes);
      for (size_t i = 0; i < entries.size(); ++i) {
        ASSERT_FALSE((*outcomes)[i].error) << (*outcomes)[i].error->message;
        written[entries[i].partition_key].push_back(entries[i].data);
      }
    }
  });
  ASSERT_TRUE(manager_->SplitShard("s", "shardId-000000000000", HashKey{1} << 126));
  Settle("s");
  ASSERT_TRUE(manager_->MergeShards("s", "shardId-000000000002", "shardId-000000000003"));
  Settle("s");
  ASSERT_TRUE(manager_->UpdateShardCount("s", 3));
  Settle("s");
  stop = true;
  writer.join();

  // Parents before children: shard indexes grow with each reshard.
  std::map<std::string, std::vector<std::string>> read;
  for (const ShardInfo& shard : Shards("s")) {
    auto iterator =
        manager_->GetShardIterator("s", ShardIdOf(shard.index), Req(IteratorType::kTrimHorizon));
    ASSERT_TRUE(iterator);
    std::optional<std::string> next = *iterator;
    while (next) {
      auto page = GetRecords(*next, 10000);
      ASSERT_TRUE(page) << page.error().message;
      for (const storage::Record& record : page->batch.records()) {
        read[std::string(record.partition_key)].emplace_back(record.data);
      }
      if (page->batch.empty()) break;
      next = page->next_iterator;
    }
  }
  EXPECT_EQ(read, written);
}

TEST_F(StreamReshardTest, LineageAndRecordsSurviveARestart) {
  CreateActive("s", 1);
  ASSERT_TRUE(Put("s", Entries("a", 30)));
  ASSERT_TRUE(manager_->SplitShard("s", "shardId-000000000000", HashKey{1} << 127));
  Settle("s");
  ASSERT_TRUE(Put("s", Entries("b", 30)));
  const std::vector<ShardInfo> before = Shards("s");
  Reopen(Options());
  const std::vector<ShardInfo> after = Shards("s");
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].end_position, before[i].end_position);
    EXPECT_EQ(after[i].parent_index, before[i].parent_index);
    EXPECT_EQ(after[i].range, before[i].range);
  }
  EXPECT_EQ(ReadShard("s", 0).size(), 30u);
  EXPECT_EQ(ReadShard("s", 1).size() + ReadShard("s", 2).size(), 30u);
  auto outcomes = Put("s", Entries("c", 10));
  ASSERT_TRUE(outcomes);
  for (const PutOutcome& outcome : *outcomes) EXPECT_NE(outcome.shard_index, 0u);
}

TEST_F(StreamReshardTest, ClosedShardsGoWhenTheirRetentionHasPassed) {
  CreateActive("s", 1);
  ASSERT_TRUE(Put("s", Entries("a", 5)));
  ASSERT_TRUE(manager_->SplitShard("s", "shardId-000000000000", HashKey{1} << 127));
  Settle("s");
  EXPECT_EQ(Shards("s").size(), 3u);
  Advance(24 * 3'600'000 + 1000);
  for (int i = 0; i < 200 && Shards("s").size() == 3; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  const std::vector<ShardInfo> shards = Shards("s");
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0].index, 1u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "streams" / "1" / "shardId-000000000000"));
  EXPECT_FALSE(
      manager_->GetShardIterator("s", "shardId-000000000000", Req(IteratorType::kTrimHorizon)));
}

TEST_F(StreamReshardTest, ProvisionedShardsRefuseRecordsPastTheirQuota) {
  StreamManagerOptions options = Options();
  options.enforce_limits = true;
  Reopen(options);
  CreateActive("s", 1);
  auto outcomes = Put("s", Entries("x", 1500));
  ASSERT_TRUE(outcomes);
  int throttled = 0;
  for (const PutOutcome& outcome : *outcomes) {
    if (!outcome.error) continue;
    EXPECT_EQ(outcome.error->wire_type, "ProvisionedThroughputExceededException");
    ++throttled;
  }
  EXPECT_EQ(throttled, 500);
  EXPECT_EQ(ReadShard("s", 0).size(), 1000u);
}

TEST_F(StreamReshardTest, UpdateMaxRecordSizeAndModeTakeEffectWhenTheUpdateEnds) {
  CreateActive("s", 1);
  EXPECT_EQ(manager_->WriteSettingsOf("s")->max_record_bytes, 1u << 20);
  ASSERT_TRUE(manager_->UpdateMaxRecordSize("s", 4096));
  Settle("s");
  EXPECT_EQ(manager_->WriteSettingsOf("s")->max_record_bytes, 4u << 20);
  auto switched = manager_->UpdateStreamMode("s", StreamMode::kOnDemand);
  ASSERT_TRUE(switched) << switched.error().message;
  Settle("s");
  EXPECT_EQ(manager_->Describe("s")->mode, StreamMode::kOnDemand);
  EXPECT_FALSE(manager_->UpdateStreamMode("s", StreamMode::kOnDemand));
  Reopen(Options());
  EXPECT_EQ(manager_->Describe("s")->max_record_size_kib, 4096u);
  EXPECT_EQ(manager_->Describe("s")->mode, StreamMode::kOnDemand);
}

TEST_F(StreamReshardTest, AnUpdateAcceptedBeforeARestartIsCarriedOutAfterIt) {
  CreateActive("s", 2);
  StreamManagerOptions slow = Options();
  slow.state_change_delay_ms = 60'000;
  Reopen(slow);
  ASSERT_TRUE(manager_->SplitShard("s", "shardId-000000000000", HashKey{1} << 126));
  Reopen(Options());
  EXPECT_EQ(manager_->Describe("s")->status, StreamStatus::kUpdating);
  Settle("s");
  EXPECT_EQ(OpenShards("s").size(), 3u);
  EXPECT_FALSE(manager_->Describe("s")->pending_change);
}

}  // namespace
}  // namespace sluice::stream
