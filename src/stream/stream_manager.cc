#include "stream/stream_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <system_error>

#include "common/assert.h"
#include "common/thread_name.h"
#include "storage/posix_env.h"

namespace sluice::stream {

namespace {

constexpr std::chrono::milliseconds kReaperTick{20};
constexpr int64_t kHourMs = 3'600'000;
constexpr size_t kMaxTagsPerStream = 50;

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StreamManager::StreamManager(StreamManagerOptions options)
    : options_(std::move(options)), scaler_(options_.on_demand) {}

Result<std::unique_ptr<StreamManager>> StreamManager::Open(StreamManagerOptions options) {
  std::unique_ptr<StreamManager> manager(new StreamManager(std::move(options)));
  std::error_code error;
  std::filesystem::create_directories(manager->options_.data_dir / "streams", error);
  if (error) {
    return Fail(ErrorCode::kUnavailable, "cannot create the streams folder: " + error.message());
  }
  auto db = SqliteDatabase::Open(manager->options_.data_dir / "meta.db");
  if (!db) return Fail(db.error());
  manager->db_ = std::move(*db);
  auto store = StreamStore::Open(*manager->db_);
  if (!store) return Fail(store.error());
  manager->store_ = std::move(*store);
  auto key = manager->store_->IteratorKey();
  if (!key) return Fail(key.error());
  manager->iterators_ =
      std::make_unique<ShardIteratorCodec>(*key, manager->options_.iterator_lifetime_ms);
  auto keys = KeyStore::Open(*manager->db_, manager->options_.region, manager->options_.account_id);
  if (!keys) return Fail(keys.error());
  manager->keys_ = std::move(*keys);
  // Replayed before any shard log opens: it may hold the newest records of every shard.
  auto log = storage::WriteAheadLog::Open(storage::PosixEnv::Default(),
                                          manager->options_.data_dir.string());
  if (!log) return Fail(log.error());
  if ((*log)->replayed_writes() + (*log)->skipped_writes() > 0) {
    spdlog::info("write-ahead log: {} writes replayed, {} skipped (their files were removed)",
                 (*log)->replayed_writes(), (*log)->skipped_writes());
  }
  auto flusher = storage::Flusher::Start({}, std::move(*log));
  if (!flusher) return Fail(flusher.error());
  manager->flusher_ = std::move(*flusher);
  manager->readers_ =
      std::make_unique<WorkerPool>(manager->options_.reader_threads, "sluice-reader");
  if (auto ok = manager->Restore(); !ok) return Fail(ok.error());
  manager->reaper_ = std::thread([m = manager.get()] {
    NameThisThread("sluice-reaper");
    m->RunReaper();
  });
  return manager;
}

StreamManager::~StreamManager() {
  {
    std::lock_guard lock(reaper_mu_);
    stopping_ = true;
  }
  reaper_cv_.notify_all();
  if (reaper_.joinable()) reaper_.join();
  readers_.reset();  // runs the reads still queued: they hold streams
  std::unique_lock lock(streams_mu_);
  by_uid_.clear();
  by_name_.clear();  // closes every shard log before the flusher goes
}

int64_t StreamManager::NowMs() const { return options_.clock ? options_.clock() : SystemNowMs(); }

std::filesystem::path StreamManager::StreamDir(uint64_t uid) const {
  return options_.data_dir / "streams" / std::to_string(uid);
}

std::string StreamManager::StreamArn(std::string_view name) const {
  return "arn:aws:kinesis:" + options_.region + ":" + options_.account_id + ":stream/" +
         std::string(name);
}

tl::unexpected<Error> StreamManager::NotFound(std::string_view name) const {
  return Fail(ErrorCode::kNotFound, "Stream " + std::string(name) + " under account " +
                                        options_.account_id + " not found.");
}

tl::unexpected<Error> StreamManager::NotActive(std::string_view name, StreamStatus status) const {
  return Fail(ErrorCode::kFailedPrecondition,
              "Stream " + std::string(name) + " under account " + options_.account_id +
                  " not ACTIVE, instead in state " + std::string(StreamStatusName(status)));
}

std::shared_ptr<const ShardSet> StreamManager::Stream::shards() const {
  std::lock_guard lock(data_mu);
  return shard_set;
}

void StreamManager::Stream::set_shards(std::shared_ptr<const ShardSet> shards) {
  std::lock_guard lock(data_mu);
  shard_set = std::move(shards);
}

bool StreamManager::Stream::AdmitOnDemandWrite(size_t bytes, int64_t now_ms) {
  std::lock_guard lock(data_mu);
  return !ceiling || ceiling->TryTake(static_cast<double>(bytes), now_ms);
}

Result<LiveShard> StreamManager::OpenShard(const Stream& stream, const ShardInfo& info) {
  storage::ShardLogOptions log_options;
  log_options.name = stream.info.name + "/" + ShardIdOf(info.index);
  log_options.durability = options_.durability;
  log_options.retention_ms = stream.info.retention_hours * kHourMs;
  log_options.clock = options_.clock;
  log_options.keys = keys_;
  const std::string dir = (StreamDir(stream.info.uid) / ShardIdOf(info.index)).string();
  auto log =
      storage::ShardLog::Open(storage::PosixEnv::Default(), flusher_.get(), dir, log_options);
  if (!log) return Fail(log.error());
  if (stream.seal_key) {
    if (auto ok = (*log)->SetSealKey(stream.seal_key); !ok) return Fail(ok.error());
  }
  return LiveShard{info, std::shared_ptr<storage::ShardLog>(std::move(*log)),
                   std::make_shared<ShardTraffic>(options_.shard_quotas)};
}

Status StreamManager::OpenShardLogs(Stream& stream) {
  if (stream.info.encryption_key_id) {
    auto key = keys_->Find(*stream.info.encryption_key_id);
    if (!key) return Fail(key.error());
    stream.seal_key = *key;
    stream.encrypted = true;
  }
  std::vector<LiveShard> shards;
  for (const ShardInfo& info : stream.info.shards) {
    auto shard = OpenShard(stream, info);
    if (!shard) return Fail(shard.error());
    shards.push_back(std::move(*shard));
  }
  stream.set_shards(std::make_shared<const ShardSet>(std::move(shards)));
  stream.mode = stream.info.mode;
  stream.max_record_bytes = stream.info.max_record_size_kib * 1024;
  {
    std::lock_guard lock(stream.data_mu);
    stream.ceiling.emplace(options_.on_demand.max_write_bytes_per_sec,
                           options_.on_demand.max_write_bytes_per_sec);
  }
  return FinishInterruptedReshards(stream);
}

Status StreamManager::FinishInterruptedReshards(Stream& stream) {
  // A closed shard takes no more appends; one the last run closed but had not recorded
  // the end of (a crash in the middle of a reshard) ends where its log ends.
  const std::shared_ptr<const ShardSet> set = stream.shards();
  bool changed = false;
  for (const LiveShard& shard : set->all()) {
    if (set->IsOpen(shard.info.index)) continue;
    if (auto ok = shard.log->Close(); !ok) return ok;
    if (shard.info.end_position) continue;
    const uint64_t end = shard.log->tail_position();
    if (auto ok = store_->SetShardEnd(stream.info.uid, shard.info.index, end); !ok) return ok;
    for (ShardInfo& info : stream.info.shards) {
      if (info.index == shard.info.index) info.end_position = end;
    }
    changed = true;
  }
  if (changed) PublishShards(stream);
  return Ok();
}

void StreamManager::PublishShards(Stream& stream, const std::vector<LiveShard>& added) {
  // The shards of stream.info, with the logs and traffic of the current set or `added`.
  const std::shared_ptr<const ShardSet> current = stream.shards();
  std::vector<LiveShard> shards;
  for (const ShardInfo& info : stream.info.shards) {
    const LiveShard* live = current->Find(info.index);
    for (const LiveShard& shard : added) live = shard.info.index == info.index ? &shard : live;
    SLUICE_ASSERT(live != nullptr, "a shard of the stream info has no log");
    shards.push_back(LiveShard{info, live->log, live->traffic});
  }
  stream.set_shards(std::make_shared<const ShardSet>(std::move(shards)));
}

Status StreamManager::Restore() {
  auto streams = store_->LoadAll();
  if (!streams) return Fail(streams.error());
  for (StreamInfo& info : *streams) {
    auto stream = std::make_shared<Stream>();
    stream->info = std::move(info);
    // An update the last run accepted but did not carry out is carried out after the
    // state-change delay, counted from now.
    if (stream->info.status == StreamStatus::kUpdating) stream->info.status_changed_ms = NowMs();
    stream->status = stream->info.status;
    if (auto ok = OpenShardLogs(*stream); !ok) return ok;
    if (stream->info.pending_change) {
      if (auto change = DecodeStreamChange(*stream->info.pending_change)) {
        stream->reserved_shards = AddedShards(*change, stream->shards()->open_count());
      }
    }
    by_uid_[stream->info.uid] = stream;
    by_name_[stream->info.name] = std::move(stream);
  }
  RemoveOrphanedData();
  spdlog::info("streams restored: {}", by_name_.size());
  return Ok();
}

void StreamManager::RemoveOrphanedData() {
  // Folders of streams meta.db does not know: a crash between creating a stream's logs and
  // committing it, or between forgetting a stream and deleting its files.
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(options_.data_dir / "streams", error)) {
    const std::string name = entry.path().filename().string();
    uint64_t uid = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), uid);
    if (ec == std::errc() && end == name.data() + name.size() && by_uid_.count(uid) > 0) continue;
    spdlog::warn("removing orphaned stream data '{}'", name);
    std::filesystem::remove_all(entry.path(), error);
  }
}

std::shared_ptr<StreamManager::Stream> StreamManager::FindByName(std::string_view name) const {
  std::shared_lock lock(streams_mu_);
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::shared_ptr<StreamManager::Stream> StreamManager::FindByUid(uint64_t uid) const {
  std::shared_lock lock(streams_mu_);
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<StreamManager::Stream>> StreamManager::FindActive(
    std::string_view name) const {
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  const StreamStatus status = stream->status.load();
  if (status != StreamStatus::kActive && status != StreamStatus::kUpdating) return NotFound(name);
  return stream;
}

Status StreamManager::CheckShardLimit(uint32_t additional) const {
  const AccountLimits limits = Limits();
  if (additional <= limits.shard_headroom()) return Ok();
  return Fail(ErrorCode::kResourceExhausted,
              "This request would exceed the shard limit for the account " + options_.account_id +
                  " in " + options_.region + ". Current shard count for the account: " +
                  std::to_string(limits.open_shard_count) +
                  ". Limit: " + std::to_string(options_.shard_limit) +
                  ". Number of additional shards that would have resulted from this request: " +
                  std::to_string(additional) + ".");
}

Status StreamManager::CreateStream(const CreateStreamParams& params) {
  std::lock_guard lock(mu_);
  if (FindByName(params.name)) {
    return Fail(ErrorCode::kAlreadyExists, "Stream " + params.name + " under account " +
                                               options_.account_id + " already exists.");
  }
  uint32_t shard_count = options_.on_demand_initial_shards;
  if (params.mode == StreamMode::kProvisioned) {
    if (!params.shard_count) {
      return Fail(ErrorCode::kInvalidArgument,
                  "1 validation error detected: Value null at 'shardCount' failed to satisfy "
                  "constraint: Member must not be null",
                  "ValidationException");
    }
    shard_count = *params.shard_count;
  }
  if (auto ok = CheckShardLimit(shard_count); !ok) return ok;
  auto uid = store_->NextStreamUid();
  if (!uid) return Fail(uid.error());

  auto stream = std::make_shared<Stream>();
  StreamInfo& info = stream->info;
  info.uid = *uid;
  info.name = params.name;
  info.mode = params.mode;
  info.status = StreamStatus::kCreating;
  info.created_ms = info.status_changed_ms = NowMs();
  info.tags = params.tags;
  info.max_record_size_kib = params.max_record_size_kib;
  const std::vector<HashKeyRange> ranges = SplitHashKeySpace(shard_count);
  for (uint32_t i = 0; i < shard_count; ++i) {
    info.shards.push_back(
        ShardInfo{i, std::nullopt, std::nullopt, ranges[i], info.created_ms, std::nullopt});
  }
  if (auto ok = OpenShardLogs(*stream); !ok) return ok;
  if (auto ok = store_->Insert(info); !ok) {
    stream->set_shards(nullptr);  // closes the logs
    std::error_code error;
    std::filesystem::remove_all(StreamDir(info.uid), error);
    return ok;
  }
  std::unique_lock streams_lock(streams_mu_);
  by_uid_[info.uid] = stream;
  by_name_[info.name] = std::move(stream);
  return Ok();
}

Status StreamManager::ChangeStatus(Stream& stream, StreamStatus status) {
  const int64_t now = NowMs();
  if (auto ok = store_->UpdateStatus(stream.info.uid, status, now); !ok) return ok;
  stream.info.status = status;
  stream.info.status_changed_ms = now;
  stream.status = status;
  return Ok();
}

Status StreamManager::DeleteStream(std::string_view name) {
  std::lock_guard lock(mu_);
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  const StreamStatus status = stream->info.status;
  if (status != StreamStatus::kActive && status != StreamStatus::kUpdating) {
    return NotActive(name, status);
  }
  return ChangeStatus(*stream, StreamStatus::kDeleting);
}

Result<StreamInfo> StreamManager::Describe(std::string_view name) const {
  std::lock_guard lock(mu_);
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  return stream->info;
}

std::vector<StreamInfo> StreamManager::List() const {
  std::lock_guard lock(mu_);
  std::vector<StreamInfo> streams;
  std::shared_lock streams_lock(streams_mu_);
  for (const auto& [name, stream] : by_name_) streams.push_back(stream->info);
  std::sort(streams.begin(), streams.end(),
            [](const StreamInfo& a, const StreamInfo& b) { return a.name < b.name; });
  return streams;
}

Status StreamManager::SetRetention(std::string_view name, int64_t hours, bool increase) {
  const std::string requested = std::to_string(hours);
  if (hours < kMinRetentionHours) {
    return Fail(ErrorCode::kInvalidArgument,
                "Minimum allowed retention period is 24 hours. Requested retention period (" +
                    requested + " hours) is too short.");
  }
  if (hours > kMaxRetentionHours) {
    return Fail(ErrorCode::kInvalidArgument,
                "Maximum allowed retention period is 8760 hours. Requested retention period (" +
                    requested + " hours) is too long.");
  }
  std::lock_guard lock(mu_);
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream) return NotFound(name);
  if (stream->info.status != StreamStatus::kActive) return NotActive(name, stream->info.status);
  const int64_t current = stream->info.retention_hours;
  if (increase && hours < current) {
    return Fail(ErrorCode::kInvalidArgument,
                "Requested retention period (" + requested + " hours) for stream " +
                    std::string(name) + " can not be shorter than existing retention period (" +
                    std::to_string(current) + " hours). Use DecreaseRetentionPeriod API.");
  }
  if (!increase && hours > current) {
    return Fail(ErrorCode::kInvalidArgument,
                "Requested retention period (" + requested + " hours) for stream " +
                    std::string(name) + " can not be longer than existing retention period (" +
                    std::to_string(current) + " hours). Use IncreaseRetentionPeriod API.");
  }
  if (auto ok = store_->UpdateRetention(stream->info.uid, hours); !ok) return ok;
  stream->info.retention_hours = hours;
  for (const LiveShard& shard : stream->shards()->all()) {
    if (auto ok = shard.log->SetRetention(hours * kHourMs, 0); !ok) return ok;
  }
  return Ok();
}

Status StreamManager::IncreaseRetention(std::string_view name, int64_t hours) {
  return SetRetention(name, hours, true);
}

Status StreamManager::DecreaseRetention(std::string_view name, int64_t hours) {
  return SetRetention(name, hours, false);
}

Status StreamManager::AddTags(std::string_view name,
                              const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(mu_);
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream || stream->info.status == StreamStatus::kDeleting) return NotFound(name);
  std::map<std::string, std::string> merged = stream->info.tags;
  for (const auto& [key, value] : tags) merged[key] = value;
  if (merged.size() > kMaxTagsPerStream) {
    return Fail(ErrorCode::kInvalidArgument,
                "Failed to add tags to stream " + std::string(name) + " under account " +
                    options_.account_id +
                    " because a given stream cannot have more than 50 tags associated with it.");
  }
  if (auto ok = store_->ReplaceTags(stream->info.uid, merged); !ok) return ok;
  stream->info.tags = std::move(merged);
  return Ok();
}

Status StreamManager::RemoveTags(std::string_view name, const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  std::shared_ptr<Stream> stream = FindByName(name);
  if (!stream || stream->info.status == StreamStatus::kDeleting) return NotFound(name);
  std::map<std::string, std::string> remaining = stream->info.tags;
  for (const std::string& key : keys) remaining.erase(key);
  if (auto ok = store_->ReplaceTags(stream->info.uid, remaining); !ok) return ok;
  stream->info.tags = std::move(remaining);
  return Ok();
}

AccountLimits StreamManager::Limits() const {
  AccountLimits limits{.shard_limit = options_.shard_limit,
                       .on_demand_stream_limit = options_.on_demand_stream_limit};
  std::shared_lock lock(streams_mu_);
  for (const auto& [name, stream] : by_name_) {
    limits.open_shard_count += static_cast<int64_t>(stream->shards()->open_count());
    limits.reserved_shard_count += stream->reserved_shards.load();
    if (stream->mode.load() == StreamMode::kOnDemand) ++limits.on_demand_stream_count;
  }
  return limits;
}

void StreamManager::RemoveStream(const std::shared_ptr<Stream>& stream) {
  if (auto ok = store_->Delete(stream->info.uid); !ok) {
    spdlog::error("deleting stream '{}' from the metadata store: {}", stream->info.name,
                  ok.error().message);
    return;
  }
  {
    std::unique_lock lock(streams_mu_);
    by_name_.erase(stream->info.name);
    by_uid_.erase(stream->info.uid);
  }
  // Readers still holding the stream keep reading until their files are gone.
  for (const LiveShard& shard : stream->shards()->all()) {
    const std::string dir = (StreamDir(stream->info.uid) / ShardIdOf(shard.info.index)).string();
    if (auto ok = shard.log->Close(); !ok) {
      spdlog::warn("closing {}: {}", ShardIdOf(shard.info.index), ok.error().message);
    }
    if (auto ok = storage::ShardLog::Destroy(storage::PosixEnv::Default(), dir); !ok) {
      spdlog::warn("removing the data of stream '{}': {}", stream->info.name, ok.error().message);
    }
  }
  std::error_code error;
  std::filesystem::remove(StreamDir(stream->info.uid), error);
  scaler_.Forget(stream->info.uid);
}

void StreamManager::CompleteTransitions() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::shared_lock streams_lock(streams_mu_);
    for (const auto& [name, stream] : by_name_) streams.push_back(stream);
  }
  const int64_t now = NowMs();
  for (const std::shared_ptr<Stream>& stream : streams) {
    ExpireClosedShards(*stream);
    if (now < stream->info.status_changed_ms + options_.state_change_delay_ms) continue;
    switch (stream->info.status) {
      case StreamStatus::kCreating:
        Activate(*stream);
        break;
      case StreamStatus::kUpdating:
        FinishUpdate(*stream);
        break;
      case StreamStatus::kDeleting:
        RemoveStream(stream);
        break;
      case StreamStatus::kActive:
        break;
    }
  }
  if (now >= next_scale_ms_) {
    next_scale_ms_ = now + options_.on_demand.interval_ms;
    Scale(streams, now);
  }
}

void StreamManager::Activate(Stream& stream) {
  if (auto ok = ChangeStatus(stream, StreamStatus::kActive); !ok) {
    spdlog::error("activating stream '{}': {}", stream.info.name, ok.error().message);
  }
}

void StreamManager::RunReaper() {
  std::unique_lock lock(reaper_mu_);
  while (!stopping_) {
    reaper_cv_.wait_for(lock, kReaperTick);
    if (stopping_) break;
    lock.unlock();
    CompleteTransitions();
    ReportStoppedLog();
    lock.lock();
  }
}

void StreamManager::ReportStoppedLog() {
  if (reported_stopped_log_) return;
  if (Status status = flusher_->write_ahead_log_status(); !status) {
    spdlog::error("{}: every PutRecords fails until the server restarts", status.error().message);
    reported_stopped_log_ = true;
  }
}

}  // namespace sluice::stream
