#include "stream/stream_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <system_error>

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

StreamManager::StreamManager(StreamManagerOptions options) : options_(std::move(options)) {}

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
  auto flusher = storage::Flusher::Start();
  if (!flusher) return Fail(flusher.error());
  manager->flusher_ = std::move(*flusher);
  if (auto ok = manager->Restore(); !ok) return Fail(ok.error());
  manager->reaper_ = std::thread([m = manager.get()] { m->RunReaper(); });
  return manager;
}

StreamManager::~StreamManager() {
  {
    std::lock_guard lock(reaper_mu_);
    stopping_ = true;
  }
  reaper_cv_.notify_all();
  if (reaper_.joinable()) reaper_.join();
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

Status StreamManager::OpenShardLogs(Stream& stream) {
  stream.shards.clear();
  for (const ShardInfo& info : stream.info.shards) {
    storage::ShardLogOptions log_options;
    log_options.name = stream.info.name + "/" + ShardIdOf(info.index);
    log_options.durability = options_.durability;
    log_options.retention_ms = stream.info.retention_hours * kHourMs;
    log_options.clock = options_.clock;
    const std::string dir = (StreamDir(stream.info.uid) / ShardIdOf(info.index)).string();
    auto log =
        storage::ShardLog::Open(storage::PosixEnv::Default(), flusher_.get(), dir, log_options);
    if (!log) return Fail(log.error());
    stream.shards.push_back(Shard{info, std::move(*log)});
  }
  stream.routes.clear();
  for (size_t i = 0; i < stream.shards.size(); ++i) {
    if (stream.shards[i].info.open())
      stream.routes.emplace_back(stream.shards[i].info.range.start, i);
  }
  std::sort(stream.routes.begin(), stream.routes.end());
  return Ok();
}

Status StreamManager::Restore() {
  auto streams = store_->LoadAll();
  if (!streams) return Fail(streams.error());
  for (StreamInfo& info : *streams) {
    auto stream = std::make_shared<Stream>();
    stream->info = std::move(info);
    stream->status = stream->info.status;
    if (auto ok = OpenShardLogs(*stream); !ok) return ok;
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
  const int64_t open = Limits().open_shard_count;
  if (open + additional <= options_.shard_limit) return Ok();
  return Fail(ErrorCode::kResourceExhausted,
              "This request would exceed the shard limit for the account " + options_.account_id +
                  " in " + options_.region + ". Current shard count for the account: " +
                  std::to_string(open) + ". Limit: " + std::to_string(options_.shard_limit) +
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
  const std::vector<HashKeyRange> ranges = SplitHashKeySpace(shard_count);
  for (uint32_t i = 0; i < shard_count; ++i) {
    info.shards.push_back(
        ShardInfo{i, std::nullopt, std::nullopt, ranges[i], info.created_ms, std::nullopt});
  }
  if (auto ok = OpenShardLogs(*stream); !ok) return ok;
  if (auto ok = store_->Insert(info); !ok) {
    stream->shards.clear();  // closes the logs
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
  for (Shard& shard : stream->shards) {
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
  AccountLimits limits{options_.shard_limit, 0, 0, options_.on_demand_stream_limit};
  std::shared_lock lock(streams_mu_);
  for (const auto& [name, stream] : by_name_) {
    for (const Shard& shard : stream->shards) limits.open_shard_count += shard.info.open() ? 1 : 0;
    if (stream->info.mode == StreamMode::kOnDemand) ++limits.on_demand_stream_count;
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
  for (Shard& shard : stream->shards) {
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
    if (now < stream->info.status_changed_ms + options_.state_change_delay_ms) continue;
    if (stream->info.status == StreamStatus::kCreating) {
      if (auto ok = ChangeStatus(*stream, StreamStatus::kActive); !ok) {
        spdlog::error("activating stream '{}': {}", stream->info.name, ok.error().message);
      }
    } else if (stream->info.status == StreamStatus::kDeleting) {
      RemoveStream(stream);
    }
  }
}

void StreamManager::RunReaper() {
  std::unique_lock lock(reaper_mu_);
  while (!stopping_) {
    reaper_cv_.wait_for(lock, kReaperTick);
    if (stopping_) break;
    lock.unlock();
    CompleteTransitions();
    lock.lock();
  }
}

}  // namespace sluice::stream
