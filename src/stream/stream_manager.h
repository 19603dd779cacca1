#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/hash_key.h"
#include "common/result.h"
#include "common/sqlite_database.h"
#include "common/worker_pool.h"
#include "storage/flusher.h"
#include "storage/log_options.h"
#include "storage/read_batch.h"
#include "storage/shard_log.h"
#include "stream/key_store.h"
#include "stream/on_demand_scaler.h"
#include "stream/shard_iterator.h"
#include "stream/shard_set.h"
#include "stream/shard_traffic.h"
#include "stream/stream_change.h"
#include "stream/stream_info.h"
#include "stream/stream_store.h"

namespace sluice::stream {

struct StreamManagerOptions {
  std::filesystem::path data_dir;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // How long CREATING and DELETING last.
  int64_t state_change_delay_ms = 500;
  storage::DurabilityPolicy durability = storage::DurabilityPolicy::kSync;
  int64_t iterator_lifetime_ms = ShardIteratorCodec::kDefaultLifetimeMs;
  uint32_t on_demand_initial_shards = 4;
  // Open shards the account may have (DescribeLimits' ShardLimit).
  int64_t shard_limit = 10'000;
  int64_t on_demand_stream_limit = 50;
  // Provisioned shards refuse traffic past their quotas, on-demand streams past their
  // ceiling (ProvisionedThroughputExceededException). Off: no throughput limit at all,
  // for benchmarks and local experiments.
  bool enforce_limits = true;
  ShardQuotas shard_quotas;
  // On-demand streams: how capacity follows the traffic, and the write ceiling.
  OnDemandOptions on_demand;
  // Milliseconds since the epoch; empty: the system clock. Tests pass a fake one.
  std::function<int64_t()> clock;
  // Threads for GetRecords that must wait for the disk (the rest read on the caller's).
  size_t reader_threads = 4;
};

struct CreateStreamParams {
  std::string name;
  StreamMode mode = StreamMode::kProvisioned;
  std::optional<uint32_t> shard_count;  // required for PROVISIONED
  std::map<std::string, std::string> tags;
  uint32_t max_record_size_kib = kDefaultMaxRecordSizeKib;
};

// One record of a put. Views: the caller keeps the bytes until the put's callback has run.
struct PutEntry {
  std::string_view data;
  std::string_view partition_key;
  std::optional<HashKey> explicit_hash_key;
};

// What became of one PutEntry: where it was stored, or why not (Kinesis error code).
struct PutOutcome {
  uint32_t shard_index = 0;
  uint64_t position = 0;
  std::optional<Error> error;
};
using PutCallback = std::function<void(Result<std::vector<PutOutcome>>)>;

enum class IteratorType {
  kAtSequenceNumber,
  kAfterSequenceNumber,
  kTrimHorizon,
  kLatest,
  kAtTimestamp
};

struct IteratorRequest {
  IteratorType type = IteratorType::kTrimHorizon;
  std::optional<std::string> sequence_number;
  std::optional<int64_t> timestamp_ms;
};

struct ReadResult {
  storage::ReadBatch batch;
  uint32_t shard_index = 0;
  std::optional<std::string> next_iterator;  // absent past the end of a closed shard
  std::vector<ShardInfo> children;           // set when next_iterator is absent
  int64_t millis_behind_latest = 0;
};
using ReadCallback = std::function<void(Result<ReadResult>)>;

// What a write to a stream must respect and report.
struct WriteSettings {
  uint32_t max_record_bytes = kDefaultMaxRecordSizeKib * 1024;
  bool encrypted = false;  // PutRecord(s) answer EncryptionType KMS
};

struct AccountLimits {
  int64_t shard_limit = 0;
  int64_t open_shard_count = 0;
  int64_t reserved_shard_count = 0;  // what accepted, not yet carried out updates will add
  int64_t on_demand_stream_count = 0;
  int64_t on_demand_stream_limit = 0;

  // How many more open shards the account allows (negative when over its limit).
  int64_t shard_headroom() const { return shard_limit - open_shard_count - reserved_shard_count; }
};

// Kinesis streams: their lifecycle and metadata (meta.db) and their records (one shard log
// per shard under <data_dir>/streams/<uid>/). Errors carry Kinesis wording; codes map to
// Kinesis types at the HTTP edge (kNotFound → ResourceNotFoundException, ...).
//
// Thread-safety: every method is thread-safe. Control-plane calls serialise on one mutex;
// PutRecords and GetRecords only take a shared lock to find the stream, so the data path
// never waits on metadata changes of other streams.
class StreamManager {
 public:
  [[nodiscard]] static Result<std::unique_ptr<StreamManager>> Open(StreamManagerOptions options);
  ~StreamManager();
  StreamManager(const StreamManager&) = delete;
  StreamManager& operator=(const StreamManager&) = delete;

  [[nodiscard]] Status CreateStream(const CreateStreamParams& params);
  [[nodiscard]] Status DeleteStream(std::string_view name);
  [[nodiscard]] Result<StreamInfo> Describe(std::string_view name) const;
  std::vector<StreamInfo> List() const;
  [[nodiscard]] Status IncreaseRetention(std::string_view name, int64_t hours);
  [[nodiscard]] Status DecreaseRetention(std::string_view name, int64_t hours);
  [[nodiscard]] Status AddTags(std::string_view name,
                               const std::map<std::string, std::string>& tags);
  [[nodiscard]] Status RemoveTags(std::string_view name, const std::vector<std::string>& keys);
  AccountLimits Limits() const;

  // Resharding (stream_reshard.cc). Each checks the request now, turns the stream
  // UPDATING, and changes the shards when the state-change delay ends.
  [[nodiscard]] Status SplitShard(std::string_view name, std::string_view shard_id,
                                  HashKey new_starting_hash_key);
  [[nodiscard]] Status MergeShards(std::string_view name, std::string_view shard_id,
                                   std::string_view adjacent_shard_id);
  // UNIFORM_SCALING to `target` open shards; returns the current open shard count.
  [[nodiscard]] Result<uint32_t> UpdateShardCount(std::string_view name, uint32_t target);
  // Stream settings (stream_settings.cc), also applied when UPDATING ends.
  [[nodiscard]] Status UpdateStreamMode(std::string_view name, StreamMode mode);
  [[nodiscard]] Status UpdateMaxRecordSize(std::string_view name, uint32_t kib);
  // Encryption at rest under a key of the local key store (KeyStore::Find's forms);
  // records stored before stay readable either way.
  [[nodiscard]] Status StartStreamEncryption(std::string_view name, std::string_view key_id);
  [[nodiscard]] Status StopStreamEncryption(std::string_view name);
  [[nodiscard]] Result<WriteSettings> WriteSettingsOf(std::string_view name) const;
  // Per-shard write rates and shard counts, for /metrics.
  std::vector<ShardRate> ShardRates() const;

  // Stores the entries, grouped by shard (the entries of one shard are one append), and
  // calls `done` exactly once when every group is durable or failed — on a storage thread,
  // or inline if the request fails as a whole (unknown stream, not ACTIVE). The entries'
  // bytes must stay valid until then; nothing reads them after `done`.
  void PutRecords(std::string_view name, std::vector<PutEntry> entries, PutCallback done);
  [[nodiscard]] Result<std::string> GetShardIterator(std::string_view name,
                                                     std::string_view shard_id,
                                                     const IteratorRequest& request);
  // Reads up to `limit` records where `iterator` points and calls `done` exactly once:
  // inline when they are in memory (the page cache, or not written out yet), else on one
  // of the manager's reader threads, which wait for the disk so that the caller's thread
  // never does.
  void GetRecords(std::string_view iterator, size_t limit, ReadCallback done);

  std::string StreamArn(std::string_view name) const;
  // Milliseconds since the epoch from the configured clock (options.clock or the system's).
  int64_t NowMs() const;
  const StreamManagerOptions& options() const { return options_; }

 private:
  // A stream's runtime. `info` and `pending_change` change under the manager's mu_; the
  // data path reads the atomics and a snapshot of the shards, never `info`.
  struct Stream {
    StreamInfo info;
    std::atomic<StreamStatus> status{StreamStatus::kCreating};
    std::atomic<StreamMode> mode{StreamMode::kProvisioned};
    std::atomic<uint32_t> max_record_bytes{kDefaultMaxRecordSizeKib * 1024};
    std::atomic<bool> encrypted{false};
    // Open shards the pending change will add (AddedShards), held against the shard limit.
    std::atomic<uint32_t> reserved_shards{0};
    // The key new appends are sealed under (info.encryption_key_id's); under mu_.
    std::optional<storage::SealKey> seal_key;

    std::shared_ptr<const ShardSet> shards() const;
    void set_shards(std::shared_ptr<const ShardSet> shards);
    // The on-demand write ceiling, in bytes.
    bool AdmitOnDemandWrite(size_t bytes, int64_t now_ms);

    mutable std::mutex data_mu;  // the two members below
    std::shared_ptr<const ShardSet> shard_set;
    std::optional<TokenBucket> ceiling;
  };

  explicit StreamManager(StreamManagerOptions options);
  std::filesystem::path StreamDir(uint64_t uid) const;
  [[nodiscard]] Result<LiveShard> OpenShard(const Stream& stream, const ShardInfo& info);
  [[nodiscard]] Status OpenShardLogs(Stream& stream);
  [[nodiscard]] Status FinishInterruptedReshards(Stream& stream);
  // Publishes a new shard set built from stream.info.shards, with the logs of the current
  // set and `added`.
  void PublishShards(Stream& stream, const std::vector<LiveShard>& added = {});
  // The reshard primitive (stream_reshard.cc): closes the open shards `parents` (one, or
  // two adjacent) and opens `children` in their place; returns the children's indexes.
  // Holds mu_.
  [[nodiscard]] Result<std::vector<uint32_t>> Reshard(Stream& stream,
                                                      const std::vector<uint32_t>& parents,
                                                      std::vector<ShardInfo> children);
  [[nodiscard]] Result<std::vector<uint32_t>> Split(Stream& stream, uint32_t index,
                                                    HashKey new_start);
  [[nodiscard]] Result<std::vector<uint32_t>> Merge(Stream& stream, uint32_t index,
                                                    uint32_t adjacent);
  // Cuts a shard into `pieces` (a power of two) of equal hash ranges.
  [[nodiscard]] Status SplitInto(Stream& stream, uint32_t index, uint32_t pieces);
  [[nodiscard]] Status ScaleUniformly(Stream& stream, uint32_t target);
  void DestroyShards(const Stream& stream, const std::vector<LiveShard>& shards);
  // Checks shared by the resharding calls: the stream exists, is ACTIVE and PROVISIONED.
  [[nodiscard]] Result<std::shared_ptr<Stream>> FindReshardable(std::string_view name,
                                                                std::string_view operation);
  [[nodiscard]] Result<const LiveShard*> FindOpenShard(const Stream& stream,
                                                       std::string_view shard_id) const;
  // The stream exists and is ACTIVE (a settings change may start).
  [[nodiscard]] Result<std::shared_ptr<Stream>> FindUpdatable(std::string_view name);
  void Activate(Stream& stream);
  // Turns the stream UPDATING with `change` to carry out when the update ends.
  [[nodiscard]] Status BeginUpdate(Stream& stream, const StreamChange& change);
  [[nodiscard]] Status ApplyChange(Stream& stream, const StreamChange& change);
  void FinishUpdate(Stream& stream);
  [[nodiscard]] Status SetEncryption(Stream& stream, std::optional<std::string> key_id);
  void ExpireClosedShards(Stream& stream);
  // Samples every stream's shards and carries out the on-demand scaler's plan
  // (stream_scaling.cc). Holds mu_.
  void Scale(const std::vector<std::shared_ptr<Stream>>& streams, int64_t now_ms);
  struct PendingPut;
  // A GetRecords past its checks and admission: what to read.
  struct ShardRead {
    std::shared_ptr<Stream> stream;
    std::shared_ptr<const ShardSet> set;  // holds `shard`
    const LiveShard* shard = nullptr;
    IteratorState state;
    bool quotas = false;  // the read counts toward the shard's read quota
    size_t limit = 0;
  };
  // GetRecords' checks: the iterator, the stream's state, the shard's call quota.
  [[nodiscard]] Result<ShardRead> StartRead(std::string_view iterator, size_t limit);
  // GetRecords' read, charged to the shard's read quota, and its next iterator; with
  // kCachedOnly, a batch that needs the disk (ReadBatch::needs_disk) comes back as it is,
  // uncharged and without an iterator.
  [[nodiscard]] Result<ReadResult> FinishRead(const ShardRead& read, storage::ReadWait wait);
  // Routes the entries `indexes` of `pending` over the stream's open shards and appends
  // them; entries whose shard closed meanwhile are routed again over the new shards.
  // Refuses (in `pending`'s outcomes) and drops from `indexes` the entries over the
  // throughput limits.
  void Admit(Stream& stream, PendingPut& pending, std::vector<size_t>& indexes);
  // `indexes` must live as long as `pending` (its own grouping, or the caller's vector).
  void PutEntries(Stream& stream, PendingPut& pending, std::span<const size_t> indexes,
                  int attempt);
  [[nodiscard]] Status Restore();
  void RemoveOrphanedData();
  std::shared_ptr<Stream> FindByName(std::string_view name) const;
  std::shared_ptr<Stream> FindByUid(uint64_t uid) const;
  [[nodiscard]] Result<std::shared_ptr<Stream>> FindActive(std::string_view name) const;
  [[nodiscard]] Status CheckShardLimit(uint32_t additional) const;
  // AWS's limit on how often `call` may succeed per stream in a rolling 24 hours
  // (src/stream/stream_call_limits.cc): LimitExceededException when one more would exceed
  // it; Ok with enforce_limits off.
  [[nodiscard]] Status CheckCallRate(const Stream& stream, LimitedCall call) const;
  // Counts an accepted `call` toward that limit (in meta.db too).
  void RecordCall(Stream& stream, LimitedCall call);
  [[nodiscard]] Status SetRetention(std::string_view name, int64_t hours, bool increase);
  [[nodiscard]] Status ChangeStatus(Stream& stream, StreamStatus status);
  void CompleteTransitions();
  void RemoveStream(const std::shared_ptr<Stream>& stream);
  void RunReaper();
  // Logs, once, that the write-ahead log has stopped (every append fails until a restart).
  void ReportStoppedLog();
  tl::unexpected<Error> NotFound(std::string_view name) const;
  tl::unexpected<Error> NotActive(std::string_view name, StreamStatus status) const;

  const StreamManagerOptions options_;
  std::unique_ptr<SqliteDatabase> db_;
  std::unique_ptr<StreamStore> store_;  // guarded by mu_
  std::unique_ptr<storage::Flusher> flusher_;
  std::unique_ptr<WorkerPool> readers_;  // GetRecords that wait for the disk
  std::unique_ptr<ShardIteratorCodec> iterators_;
  std::shared_ptr<KeyStore> keys_;
  OnDemandScaler scaler_;      // guarded by mu_
  int64_t next_scale_ms_ = 0;  // guarded by mu_

  mutable std::mutex mu_;                 // control plane: store_ and every Stream::info
  mutable std::shared_mutex streams_mu_;  // the two maps below
  std::unordered_map<std::string, std::shared_ptr<Stream>> by_name_;
  std::unordered_map<uint64_t, std::shared_ptr<Stream>> by_uid_;

  std::mutex reaper_mu_;
  std::condition_variable reaper_cv_;
  bool stopping_ = false;              // guarded by reaper_mu_
  bool reported_stopped_log_ = false;  // reaper thread only
  std::thread reaper_;
};

}  // namespace sluice::stream
