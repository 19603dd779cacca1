#include "stream/stream_manager.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "stream/sequence_number.h"
#include "stream_manager_fixture.h"
#include "testutil/page_cache.h"

namespace sluice::stream {
namespace {

using std::chrono::milliseconds;

TEST_F(StreamManagerTest, CreatesThenActivatesAStream) {
  ASSERT_TRUE(manager_->CreateStream({"trips", StreamMode::kProvisioned, 3, {{"k", "v"}}}));
  auto info = manager_->Describe("trips");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->shards.size(), 3u);
  EXPECT_EQ(info->tags.at("k"), "v");
  EXPECT_TRUE(WaitFor("trips", StreamStatus::kActive));
}

TEST_F(StreamManagerTest, OnDemandStreamsStartWithFourShards) {
  ASSERT_TRUE(manager_->CreateStream({"od", StreamMode::kOnDemand, std::nullopt, {}}));
  EXPECT_EQ(manager_->Describe("od")->shards.size(), 4u);
}

TEST_F(StreamManagerTest, RefusesADuplicateName) {
  CreateActive("trips", 1);
  auto again = manager_->CreateStream({"trips", StreamMode::kProvisioned, 1, {}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(StreamManagerTest, RefusesShardsPastTheAccountLimit) {
  CreateActive("a", 15);
  auto over = manager_->CreateStream({"b", StreamMode::kProvisioned, 6, {}});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kResourceExhausted);
}

TEST_F(StreamManagerTest, PutThenReadBackInOrder) {
  CreateActive("trips", 1);
  std::vector<TestRecord> entries;
  for (int i = 0; i < 100; ++i) entries.push_back({"trip-" + std::to_string(i), "k", std::nullopt});
  auto outcomes = Put("trips", std::move(entries));
  ASSERT_TRUE(outcomes);
  for (size_t i = 0; i < outcomes->size(); ++i) {
    EXPECT_FALSE((*outcomes)[i].error);
    EXPECT_EQ((*outcomes)[i].position, i);
  }
  auto data = ReadAll("trips", "shardId-000000000000");
  ASSERT_EQ(data.size(), 100u);
  EXPECT_EQ(data[42], "trip-42");
}

TEST_F(StreamManagerTest, RoutesByHashKeyRange) {
  CreateActive("trips", 2);
  auto outcomes = Put("trips", {{"low", "x", HashKey{5}}, {"high", "x", kMaxHashKey}});
  ASSERT_TRUE(outcomes);
  EXPECT_EQ((*outcomes)[0].shard_index, 0u);
  EXPECT_EQ((*outcomes)[1].shard_index, 1u);
}

TEST_F(StreamManagerTest, PutToAMissingOrCreatingStreamIsNotFound) {
  auto missing = Put("nope", {{"d", "k", std::nullopt}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(StreamManagerTest, IteratorsOfEveryType) {
  CreateActive("trips", 1);
  auto outcomes = *Put("trips", {{"a", "k", std::nullopt}, {"b", "k", std::nullopt}});
  const std::string shard = "shardId-000000000000";
  const std::string second = FormatSequenceNumber({0, outcomes[1].position});
  auto first_of = [&](IteratorRequest request) -> std::optional<std::string> {
    auto read = GetRecords(*manager_->GetShardIterator("trips", shard, request), 10);
    if (read->batch.empty()) return std::nullopt;
    return std::string(read->batch.records()[0].data);
  };
  EXPECT_EQ(first_of(Req(IteratorType::kTrimHorizon)), "a");
  EXPECT_EQ(first_of(Req(IteratorType::kLatest)), std::nullopt);
  EXPECT_EQ(first_of(Req(IteratorType::kAtSequenceNumber, second)), "b");
  EXPECT_EQ(first_of(Req(IteratorType::kAfterSequenceNumber, second)), std::nullopt);
  EXPECT_EQ(first_of({IteratorType::kAtTimestamp, std::nullopt, int64_t{0}}), "a");
}

TEST_F(StreamManagerTest, IteratorErrors) {
  CreateActive("trips", 1);
  const std::string shard = "shardId-000000000000";
  EXPECT_EQ(
      manager_->GetShardIterator("trips", "shardId-000000000009", Req(IteratorType::kTrimHorizon))
          .error()
          .code,
      ErrorCode::kNotFound);
  EXPECT_EQ(
      manager_->GetShardIterator("trips", shard, Req(IteratorType::kAtSequenceNumber)).error().code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(manager_->GetShardIterator("trips", shard, Req(IteratorType::kAtSequenceNumber, "123"))
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      manager_
          ->GetShardIterator("trips", shard,
                             Req(IteratorType::kAtSequenceNumber, FormatSequenceNumber({1, 0})))
          .error()
          .code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(GetRecords("garbage", 10).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(StreamManagerTest, ContinuesFromNextIterator) {
  CreateActive("trips", 1);
  std::vector<TestRecord> entries;
  for (int i = 0; i < 10; ++i) entries.push_back({std::to_string(i), "k", std::nullopt});
  ASSERT_TRUE(Put("trips", std::move(entries)));
  auto iterator =
      *manager_->GetShardIterator("trips", "shardId-000000000000", Req(IteratorType::kTrimHorizon));
  std::vector<std::string> seen;
  for (int round = 0; round < 5; ++round) {
    auto read = GetRecords(iterator, 3);
    ASSERT_TRUE(read);
    for (const storage::Record& record : read->batch.records()) seen.emplace_back(record.data);
    iterator = *read->next_iterator;
  }
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_EQ(seen[9], "9");
}

TEST_F(StreamManagerTest, KeepsStreamsRecordsAndIteratorsAcrossARestart) {
  CreateActive("trips", 2);
  ASSERT_TRUE(Put("trips", {{"before", "k", HashKey{0}}}));
  auto iterator =
      *manager_->GetShardIterator("trips", "shardId-000000000000", Req(IteratorType::kTrimHorizon));
  Reopen();
  auto info = manager_->Describe("trips");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, StreamStatus::kActive);
  auto read = GetRecords(iterator, 10);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->batch.records().size(), 1u);
  EXPECT_EQ(read->batch.records()[0].data, "before");
}

// Drops every page of the files under `dir` from the page cache; false if some stay.
bool DropCachedPages(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY);
    if (fd < 0) return false;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
    if (testutil::CachedPages(entry.path(), 0, entry.file_size()) > 0) return false;
  }
  return true;
}

TEST_F(StreamManagerTest, AReadThatMustWaitForTheDiskRunsOnAReaderThread) {
  if (!testutil::PageCacheCanDrop(dir_)) GTEST_SKIP() << "tmpfs keeps every page";
  CreateActive("trips", 1);
  std::vector<TestRecord> entries;
  for (int i = 0; i < 500; ++i) entries.push_back({std::string(2000, 'a' + i % 26), "k", {}});
  ASSERT_TRUE(Put("trips", entries));
  auto iterator =
      *manager_->GetShardIterator("trips", "shardId-000000000000", Req(IteratorType::kTrimHorizon));
  Reopen();  // every record in the files, none in memory
  ASSERT_TRUE(DropCachedPages(dir_ / "streams"));

  auto read_on = [&](std::thread::id* thread) {
    std::promise<Result<ReadResult>> promise;
    manager_->GetRecords(iterator, 1000, [&](Result<ReadResult> result) {
      *thread = std::this_thread::get_id();
      promise.set_value(std::move(result));
    });
    return promise.get_future().get();
  };
  std::thread::id thread;
  auto cold = read_on(&thread);
  ASSERT_TRUE(cold) << cold.error().message;
  EXPECT_NE(thread, std::this_thread::get_id());
  ASSERT_EQ(cold->batch.records().size(), 500u);
  EXPECT_EQ(cold->batch.records()[499].data, entries[499].data);
  // That read brought the records into the page cache: the next one is served inline.
  auto warm = read_on(&thread);
  ASSERT_TRUE(warm);
  EXPECT_EQ(thread, std::this_thread::get_id());
  EXPECT_EQ(warm->batch.records().size(), 500u);
}

// Regression: a put's completion once held the stream, so closing the manager right after
// a put could drop the last reference on the flusher thread (an assertion failure).
TEST_F(StreamManagerTest, ClosesCleanlyRightAfterAPutCompletes) {
  CreateActive("trips", 4);
  for (int round = 0; round < 20; ++round) {
    std::vector<TestRecord> entries;
    for (int i = 0; i < 50; ++i) entries.push_back({"x", "k" + std::to_string(i), std::nullopt});
    ASSERT_TRUE(Put("trips", std::move(entries)));
    Reopen();
    ASSERT_TRUE(WaitFor("trips", StreamStatus::kActive));
  }
}

TEST_F(StreamManagerTest, RemovesDataOfStreamsTheMetadataDoesNotKnow) {
  CreateActive("kept", 1);
  std::filesystem::create_directories(dir_ / "streams" / "999" / "shardId-000000000000");
  Reopen();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "streams" / "999"));
  EXPECT_TRUE(manager_->Describe("kept"));
  EXPECT_TRUE(ReadAll("kept", "shardId-000000000000").empty());
}

TEST_F(StreamManagerTest, DeletesAStreamAndItsData) {
  CreateActive("trips", 1);
  ASSERT_TRUE(Put("trips", {{"x", "k", std::nullopt}}));
  ASSERT_TRUE(manager_->DeleteStream("trips"));
  EXPECT_EQ(manager_->Describe("trips")->status, StreamStatus::kDeleting);
  ASSERT_TRUE(WaitFor("trips", std::nullopt));
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "streams"));
  CreateActive("trips", 1);  // the name is free again, with no old records
  EXPECT_TRUE(ReadAll("trips", "shardId-000000000000").empty());
}

TEST_F(StreamManagerTest, RetentionRules) {
  CreateActive("trips", 1);
  EXPECT_EQ(manager_->IncreaseRetention("trips", 23).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(manager_->IncreaseRetention("trips", 8761).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(manager_->IncreaseRetention("trips", 48));
  EXPECT_EQ(manager_->IncreaseRetention("trips", 36).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(manager_->DecreaseRetention("trips", 72).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(manager_->DecreaseRetention("trips", 24));
  EXPECT_EQ(manager_->Describe("trips")->retention_hours, 24);
}

TEST_F(StreamManagerTest, Tags) {
  CreateActive("trips", 1);
  ASSERT_TRUE(manager_->AddTags("trips", {{"a", "1"}, {"b", "2"}}));
  ASSERT_TRUE(manager_->RemoveTags("trips", {"a", "absent"}));
  EXPECT_EQ(manager_->Describe("trips")->tags, (std::map<std::string, std::string>{{"b", "2"}}));
  std::map<std::string, std::string> many;
  for (int i = 0; i < 50; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(manager_->AddTags("trips", many).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::stream
