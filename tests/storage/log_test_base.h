#pragma once

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/flusher.h"
#include "storage/frame.h"
#include "storage/seal.h"
#include "storage/shard_log.h"
#include "storage/write_ahead_log.h"
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

// Seal keys by id, as a key store hands them out; thread-safe.
class FakeKeyResolver final : public KeyResolver {
 public:
  void Add(const SealKey& key) {
    std::lock_guard lock(mu_);
    keys_[key.id] = key;
  }
  // Resolve fails with `code` from now on (kNotFound: as for an unknown id).
  void FailWith(ErrorCode code) {
    std::lock_guard lock(mu_);
    failure_ = code;
  }
  Result<SealKey> Resolve(uint32_t key_id) const override {
    std::lock_guard lock(mu_);
    if (failure_) return Fail(*failure_, "key store says no");
    auto it = keys_.find(key_id);
    if (it == keys_.end()) return Fail(ErrorCode::kNotFound, "no such key");
    return it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<uint32_t, SealKey> keys_;  // guarded by mu_
  std::optional<ErrorCode> failure_;  // guarded by mu_
};

// An append callback that expects the append to succeed and counts it in `done`.
inline AppendCallback CountSuccess(std::atomic<int>& done) {
  return [&done](Result<AppendResult> result) {
    EXPECT_TRUE(result);
    ++done;
  };
}

// A key whose bytes are all `fill`.
inline SealKey TestKey(uint32_t id, uint8_t fill) {
  SealKey key;
  key.id = id;
  key.bytes.fill(fill);
  return key;
}

// The sealed batch of `inputs` at positions from `first_position`, under `key`.
inline std::string SealedFrame(const SealKey& key, uint64_t first_position, int64_t arrival_ms,
                               const std::vector<RecordInput>& inputs) {
  size_t plain_bytes = 0;
  for (const RecordInput& input : inputs) plain_bytes += RecordFrameSize(input);
  std::string bytes(SealedFrameSize(plain_bytes), '\0');
  char* at = bytes.data() + kSealedFrameHeaderBytes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    EncodeRecordFrame(first_position + i, arrival_ms, inputs[i], at);
    at += RecordFrameSize(inputs[i]);
  }
  std::array<char, kSealNonceBytes> nonce{};
  EXPECT_TRUE(FillRandom(nonce));
  auto cipher = SealCipher::Create(key);
  EXPECT_TRUE(cipher);
  SealBatchFrame(**cipher, nonce, first_position, static_cast<uint32_t>(inputs.size()), arrival_ms,
                 plain_bytes, bytes.data());
  return bytes;
}

// Shard logs on an in-memory file system behind a fault-injecting one, one flusher.
// Their key resolver knows keys 1 and 2 (TestKey(1, 1), TestKey(2, 2)).
class LogTestBase : public ::testing::Test {
 protected:
  static constexpr char kDir[] = "/data/streams/1/shard-0";

  void SetUp() override {
    keys_->Add(TestKey(1, 1));
    keys_->Add(TestKey(2, 2));
    auto flusher = Flusher::Start();
    ASSERT_TRUE(flusher) << flusher.error().message;
    flusher_ = std::move(*flusher);
  }
  void TearDown() override { flusher_.reset(); }

  // A flusher with a write-ahead log in /data/wal (replayed first); null on failure.
  std::unique_ptr<Flusher> StartFlusherWithLog(WriteAheadLogOptions options = {},
                                               FlusherOptions flusher_options = {}) {
    auto log = WriteAheadLog::Open(&env_, "/data", options);
    EXPECT_TRUE(log) << log.error().message;
    if (!log) return nullptr;
    auto flusher = Flusher::Start(flusher_options, std::move(*log));
    EXPECT_TRUE(flusher) << flusher.error().message;
    return flusher ? std::move(*flusher) : nullptr;
  }

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
    options.keys = keys_;
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
  std::shared_ptr<FakeKeyResolver> keys_ = std::make_shared<FakeKeyResolver>();
  testutil::MemEnv mem_env_;
  testutil::FaultEnv env_{&mem_env_};
  std::unique_ptr<Flusher> flusher_;
};

}  // namespace sluice::storage
