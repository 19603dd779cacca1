#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stream/stream_manager.h"

// The StreamManager test fixture shared by the stream tests: a manager over a temporary
// data folder, and helpers to create, write and read streams through it.
namespace sluice::stream {

using std::chrono::milliseconds;

inline IteratorRequest Req(IteratorType type,
                           std::optional<std::string> sequence_number = std::nullopt,
                           std::optional<int64_t> timestamp_ms = std::nullopt) {
  return IteratorRequest{type, std::move(sequence_number), std::move(timestamp_ms)};
}

// A record that owns its bytes, for building puts in tests (PutEntry only views them).
struct TestRecord {
  std::string data;
  std::string partition_key;
  std::optional<HashKey> explicit_hash_key;
};

class StreamManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-stream-manager-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    manager_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Options of the next Reopen; tests may change them before.
  StreamManagerOptions Options() const {
    StreamManagerOptions options;
    options.data_dir = dir_;
    options.state_change_delay_ms = 10;
    options.shard_limit = 20;
    return options;
  }
  void Reopen() { Reopen(Options()); }
  void Reopen(StreamManagerOptions options) {
    manager_.reset();
    auto manager = StreamManager::Open(options);
    ASSERT_TRUE(manager) << manager.error().message;
    manager_ = std::move(*manager);
  }

  // Called between polls: a test with a fake clock moves it here.
  virtual void Tick() {}

  // Polls until the stream reaches `status` (or is gone, for nullopt).
  bool WaitFor(const std::string& name, std::optional<StreamStatus> status) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto info = manager_->Describe(name);
      if (!status && !info) return true;
      if (status && info && info->status == *status) return true;
      std::this_thread::sleep_for(milliseconds(5));
      Tick();
    }
    return false;
  }

  void CreateActive(const std::string& name, uint32_t shards) {
    ASSERT_TRUE(manager_->CreateStream({name, StreamMode::kProvisioned, shards, {}}));
    ASSERT_TRUE(WaitFor(name, StreamStatus::kActive));
  }

  Result<std::vector<PutOutcome>> Put(const std::string& name,
                                      const std::vector<TestRecord>& records) {
    std::vector<PutEntry> entries;
    for (const TestRecord& record : records) {
      entries.push_back(PutEntry{record.data, record.partition_key, record.explicit_hash_key});
    }
    std::promise<Result<std::vector<PutOutcome>>> promise;
    manager_->PutRecords(name, std::move(entries), [&](Result<std::vector<PutOutcome>> r) {
      promise.set_value(std::move(r));
    });
    return promise.get_future().get();
  }

  // StreamManager::GetRecords, waited for.
  Result<ReadResult> GetRecords(std::string_view iterator, size_t limit) {
    std::promise<Result<ReadResult>> promise;
    manager_->GetRecords(iterator, limit,
                         [&](Result<ReadResult> r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }

  std::vector<std::string> ReadAll(const std::string& name, const std::string& shard_id) {
    auto iterator = manager_->GetShardIterator(name, shard_id, Req(IteratorType::kTrimHorizon));
    EXPECT_TRUE(iterator) << iterator.error().message;
    std::vector<std::string> data;
    auto read = GetRecords(*iterator, 10000);
    EXPECT_TRUE(read) << read.error().message;
    for (const storage::Record& record : read->batch.records()) data.emplace_back(record.data);
    return data;
  }

  std::filesystem::path dir_;
  std::unique_ptr<StreamManager> manager_;
};

}  // namespace sluice::stream
