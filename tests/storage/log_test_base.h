#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/flusher.h"
#include "storage/shard_log.h"
#include "testutil/fault_env.h"
#include "testutil/mem_env.h"

namespace sluice::storage {

// A record the test owns, to append and to compare with what comes back.
struct OwnedRecord {
  uint64_t position = 0;
  int64_t arrival_ms = 0;
  std::string partition_key;
  std::string explicit_hash_key;
  std::string data;

  RecordInput input() const { return RecordInput{partition_key, explicit_hash_key, data}; }
  bool operator==(const OwnedRecord&) const = default;
};

// `count` records whose contents derive from `seed` (the data is `data_bytes` long).
inline std::vector<OwnedRecord> MakeRecords(size_t count, size_t data_bytes, uint64_t seed) {
  std::vector<OwnedRecord> records(count);
  for (size_t i = 0; i < count; ++i) {
    uint64_t id = seed * 1'000'003 + i;
    records[i].partition_key = "key-" + std::to_string(id);
    if (i % 3 == 0) records[i].explicit_hash_key = std::to_string(id * 7919);
    records[i].data.resize(data_bytes);
    for (size_t j = 0; j < data_bytes; ++j) {
      records[i].data[j] = static_cast<char>((id * 31 + j * 17) & 0xff);
    }
  }
  return records;
}

inline std::vector<RecordInput> Inputs(const std::vector<OwnedRecord>& records) {
  std::vector<RecordInput> inputs;
  for (const OwnedRecord& record : records) inputs.push_back(record.input());
  return inputs;
}

inline OwnedRecord Own(const Record& record) {
  return OwnedRecord{record.position, record.arrival_ms, std::string(record.partition_key),
                     std::string(record.explicit_hash_key), std::string(record.data)};
}

// A clock tests move by hand.
class FakeClock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : now_ms_(start_ms) {}
  int64_t now() const { return now_ms_.load(); }
  void Advance(int64_t ms) { now_ms_.fetch_add(ms); }
  void Set(int64_t ms) { now_ms_.store(ms); }
  std::function<int64_t()> fn() {
    return [this] { return now_ms_.load(); };
  }

 private:
  std::atomic<int64_t> now_ms_;
};

// Shard logs on an in-memory file system behind a fault-injecting one, one flusher.
class LogTestBase : public ::testing::Test {
 protected:
  static constexpr char kDir[] = "/data/streams/1/shard-0";

  void SetUp() override {
    auto flusher = Flusher::Start();
    ASSERT_TRUE(flusher) << flusher.error().message;
    flusher_ = std::move(*flusher);
  }
  void TearDown() override { flusher_.reset(); }

  // Small segments, chunks and index intervals so tests cross every boundary.
  ShardLogOptions SmallOptions() {
    ShardLogOptions options;
    options.name = "test/shard-0";
    options.segment_bytes = 16 << 10;
    options.preallocate_bytes = 8 << 10;
    options.chunk_bytes = 4 << 10;
    options.index_interval_bytes = 1 << 10;
    options.retention_check_interval_ms = 0;
    options.clock = clock_.fn();
    return options;
  }

  std::unique_ptr<ShardLog> OpenLog(ShardLogOptions options) {
    auto log = ShardLog::Open(&env_, flusher_.get(), kDir, std::move(options));
    EXPECT_TRUE(log) << log.error().message;
    return log ? std::move(*log) : nullptr;
  }
  std::unique_ptr<ShardLog> OpenLog() { return OpenLog(SmallOptions()); }

  // Appends `records` (one batch), filling in their positions and arrival time.
  AppendResult Append(ShardLog& log, std::vector<OwnedRecord>& records) {
    auto result = log.AppendBatch(Inputs(records));
    EXPECT_TRUE(result) << result.error().message;
    if (!result) return {};
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].position = result->first_position + i;
      records[i].arrival_ms = result->arrival_ms;
    }
    return *result;
  }

  // Every record from `from` to the tail, in reads of at most `limits`.
  std::vector<OwnedRecord> ReadAll(const ShardLog& log, uint64_t from = 0, ReadLimits limits = {}) {
    std::vector<OwnedRecord> out;
    ReadBatch batch;
    uint64_t position = from;
    while (true) {
      Status status = log.Read(position, limits, &batch);
      EXPECT_TRUE(status) << status.error().message;
      if (!status || batch.empty()) break;
      for (const Record& record : batch.records()) out.push_back(Own(record));
      position = batch.next_position();
    }
    return out;
  }

  std::string SegmentPath(uint64_t base) const {
    return std::string(kDir) + "/" + SegmentFileName(base);
  }
  std::string IndexPath(uint64_t base) const {
    return std::string(kDir) + "/" + IndexFileName(base);
  }
  // Base positions of the segment files in the folder, sorted.
  std::vector<uint64_t> SegmentBases() {
    std::vector<uint64_t> bases;
    auto names = mem_env_.ListDir(kDir);
    if (!names) return bases;
    for (const std::string& name : *names) {
      uint64_t base = 0;
      bool is_index = false;
      if (ParseSegmentFileName(name, &base, &is_index) && !is_index) bases.push_back(base);
    }
    std::sort(bases.begin(), bases.end());
    return bases;
  }

  FakeClock clock_;
  testutil::MemEnv mem_env_;
  testutil::FaultEnv env_{&mem_env_};
  std::unique_ptr<Flusher> flusher_;
};

}  // namespace sluice::storage
