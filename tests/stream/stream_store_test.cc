#include "stream/stream_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace sluice::stream {
namespace {

class StreamStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-stream-store-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    db_.reset();
    db_ = std::move(*SqliteDatabase::Open(dir_ / "meta.db"));
    store_ = std::move(*StreamStore::Open(*db_));
  }

  static StreamInfo Sample(uint64_t uid, std::string name) {
    StreamInfo info;
    info.uid = uid;
    info.name = std::move(name);
    info.mode = StreamMode::kOnDemand;
    info.status = StreamStatus::kActive;
    info.created_ms = 1000;
    info.status_changed_ms = 2000;
    info.retention_hours = 48;
    auto ranges = SplitHashKeySpace(2);
    info.shards = {ShardInfo{0, std::nullopt, std::nullopt, ranges[0], 1000, std::nullopt},
                   ShardInfo{1, 0, std::nullopt, ranges[1], 1000, 17}};
    info.tags = {{"team", "taxi"}, {"env", "dev"}};
    return info;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteDatabase> db_;
  std::unique_ptr<StreamStore> store_;
};

TEST_F(StreamStoreTest, KeepsStreamsShardsAndTagsAcrossReopen) {
  ASSERT_TRUE(store_->Insert(Sample(7, "trips")));
  Reopen();
  auto streams = store_->LoadAll();
  ASSERT_TRUE(streams);
  ASSERT_EQ(streams->size(), 1u);
  const StreamInfo& info = (*streams)[0];
  EXPECT_EQ(info.uid, 7u);
  EXPECT_EQ(info.name, "trips");
  EXPECT_EQ(info.mode, StreamMode::kOnDemand);
  EXPECT_EQ(info.status, StreamStatus::kActive);
  EXPECT_EQ(info.retention_hours, 48);
  ASSERT_EQ(info.shards.size(), 2u);
  EXPECT_EQ(info.shards[1].parent_index, 0u);
  EXPECT_EQ(info.shards[1].end_position, 17u);
  EXPECT_EQ(info.shards[1].range, SplitHashKeySpace(2)[1]);
  EXPECT_EQ(info.tags.at("team"), "taxi");
}

TEST_F(StreamStoreTest, UpgradesAMetaDbOfTheSchemaBefore) {
  ASSERT_TRUE(store_->Insert(Sample(7, "trips")));
  // Back to schema 2 as the previous release left it: no UpdateShardCount history.
  ASSERT_TRUE(db_->Exec("ALTER TABLE streams DROP COLUMN shard_count_updates"));
  ASSERT_TRUE(db_->Exec("ALTER TABLE streams DROP COLUMN mode_updates"));
  ASSERT_TRUE(db_->Exec("PRAGMA user_version = 2"));
  Reopen();
  auto streams = store_->LoadAll();
  ASSERT_TRUE(streams) << streams.error().message;
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].name, "trips");
  EXPECT_TRUE((*streams)[0].shard_count_updates_ms.empty());
  ASSERT_TRUE(store_->UpdateCallHistory(7, LimitedCall::kUpdateShardCount, {1000, 2000}));
  Reopen();
  EXPECT_EQ(store_->LoadAll()->at(0).shard_count_updates_ms, (std::vector<int64_t>{1000, 2000}));
}

TEST_F(StreamStoreTest, UpdatesAndDeletes) {
  ASSERT_TRUE(store_->Insert(Sample(1, "a")));
  ASSERT_TRUE(store_->Insert(Sample(2, "b")));
  ASSERT_TRUE(store_->UpdateStatus(1, StreamStatus::kDeleting, 5000));
  ASSERT_TRUE(store_->UpdateRetention(1, 100));
  ASSERT_TRUE(store_->ReplaceTags(1, {{"only", "one"}}));
  ASSERT_TRUE(store_->Delete(2));
  Reopen();
  auto streams = *store_->LoadAll();
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].status, StreamStatus::kDeleting);
  EXPECT_EQ(streams[0].status_changed_ms, 5000);
  EXPECT_EQ(streams[0].retention_hours, 100);
  EXPECT_EQ(streams[0].tags, (std::map<std::string, std::string>{{"only", "one"}}));
}

TEST_F(StreamStoreTest, RefusesADuplicateNameAndStoresNothingOfIt) {
  ASSERT_TRUE(store_->Insert(Sample(1, "a")));
  EXPECT_FALSE(store_->Insert(Sample(2, "a")));
  auto streams = *store_->LoadAll();
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].uid, 1u);
}

TEST_F(StreamStoreTest, IteratorKeyIsStableAcrossReopen) {
  auto first = store_->IteratorKey();
  ASSERT_TRUE(first);
  Reopen();
  EXPECT_EQ(*store_->IteratorKey(), *first);
}

TEST_F(StreamStoreTest, StreamUidsAreNeverReused) {
  const uint64_t a = *store_->NextStreamUid();
  Reopen();
  const uint64_t b = *store_->NextStreamUid();
  EXPECT_GT(b, a);
}

}  // namespace
}  // namespace sluice::stream
