#include "producer_core.h"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <utility>

#include "common/thread_name.h"
#include "credentials.h"
#include "endpoint.h"

namespace sluice::client {

namespace asio = boost::asio;

namespace {

// The signing region when neither the settings nor the environment name one (the KPL
// would ask the EC2 instance metadata; sluice's own default region).
constexpr const char* kDefaultRegion = "us-east-1";

// The Core whose I/O thread this is, if any: Put() must not block there.
thread_local const void* t_io_core = nullptr;

bool ValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Characters (code points) of UTF-8 text: the bytes that do not continue a sequence.
size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

void FailUnrouted(RecordRef& record, std::string_view code, std::string_view message) {
  if (record->completed) return;
  const WallClock::time_point now = WallClock::now();
  record->AddAttempt(AttemptLog{
      now, now,
      std::make_shared<const AttemptError>(AttemptError{std::string(code), std::string(message)})});
  record->Complete();
}

}  // namespace

Producer::Core::Core(ProducerConfig config)
    : config_(std::move(config)), strand_(asio::make_strand(io_)), timer_(strand_) {}

Result<std::unique_ptr<Producer::Core>> Producer::Core::Create(ProducerConfig config) {
  if (Status valid = config.Validate(); !valid) return Fail(valid.error());
  if (config.region.empty()) {
    config.region = ResolveRegion(config.profile, ProcessEnvironment()).value_or(kDefaultRegion);
  }
  auto endpoint = Endpoint::Parse(config.endpoint.empty() ? Endpoint::AwsKinesisUrl(config.region)
                                                          : config.endpoint);
  if (!endpoint) return Fail(endpoint.error());
  std::optional<Credentials> credentials = config.credentials;
  if (config.sign_requests && !credentials) {
    auto resolved = ResolveCredentials(config.profile, ProcessEnvironment());
    if (!resolved) return Fail(resolved.error());
    credentials = std::move(*resolved);
  }
  std::unique_ptr<Core> core(new Core(std::move(config)));
  const ProducerConfig& settings = core->config_;
  if (settings.sign_requests) core->signer_.emplace(*credentials, settings.region, "kinesis");
  HttpClientOptions options;
  options.endpoint = std::move(*endpoint);
  options.verify_certificate = settings.verify_certificate;
  options.ca_file = settings.ca_file;
  options.connect_timeout = std::chrono::milliseconds(settings.connect_timeout_ms);
  options.request_timeout = std::chrono::milliseconds(settings.request_timeout_ms);
  options.signer = core->signer_ ? &*core->signer_ : nullptr;
  auto http = HttpClient::Create(core->io_.get_executor(), std::move(options));
  if (!http) return Fail(http.error());
  core->http_ = std::move(*http);
  core->work_.emplace(core->io_.get_executor());
  for (uint32_t i = 0; i < settings.io_threads; ++i) {
    core->threads_.emplace_back([raw = core.get()] {
      NameThisThread("producer-io");
      t_io_core = raw;
      raw->io_.run();
    });
  }
  return core;
}

Producer::Core::~Core() {
  stopping_.store(true);
  {
    std::lock_guard lock(capacity_mutex_);
    capacity_changed_.notify_all();
  }
  {
    std::lock_guard lock(incoming_mutex_);
    incoming_taken_.notify_all();
  }
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) thread.join();
  // The I/O threads are gone: whatever the pipelines, queues and requests in flight still
  // hold fails now, as the KPL's destroy() fails outstanding records.
  constexpr std::string_view kCode = "Shutdown";
  constexpr std::string_view kMessage = "the producer was destroyed before the record completed";
  {
    std::lock_guard lock(incoming_mutex_);
    for (Incoming& entry : incoming_) FailUnrouted(entry.record, kCode, kMessage);
    incoming_.clear();
  }
  for (size_t i = drained_; i < draining_.size(); ++i) {
    FailUnrouted(draining_[i].record, kCode, kMessage);
  }
  for (auto& batch : queued_) batch->pipeline->FailBatch(*batch, kCode, kMessage);
  for (PutRecordsBatch* batch : running_) batch->pipeline->FailBatch(*batch, kCode, kMessage);
  for (auto& [name, pipeline] : pipelines_) pipeline->FailAll(kCode, kMessage);
}

bool Producer::Core::OnIoThread() const { return t_io_core == this; }

Result<PutFuture> Producer::Core::Put(std::string_view stream, std::string_view partition_key,
                                      std::string_view data,
                                      std::optional<std::string_view> explicit_hash_key) {
  if (stopping_.load(std::memory_order_relaxed)) {
    return Fail(ErrorCode::kFailedPrecondition, "the producer is shutting down");
  }
  if (!ValidStreamName(stream)) {
    return Fail(ErrorCode::kInvalidArgument,
                "stream name '" + std::string(stream.substr(0, 128)) +
                    "' is invalid: 1-128 characters of a-z, A-Z, 0-9, '_', '.', '-'");
  }
  const size_t key_length = Utf8Length(partition_key);
  if (key_length < 1 || key_length > 256) {
    return Fail(ErrorCode::kInvalidArgument,
                "partition key must have 1 to 256 characters, not " + std::to_string(key_length));
  }
  // A partition key's MD5 is taken on the I/O side, many keys at once (StreamPipeline::AddNew).
  HashKey hash_key = 0;
  if (explicit_hash_key) {
    std::optional<HashKey> parsed = ParseHashKey(*explicit_hash_key);
    if (!parsed) {
      return Fail(ErrorCode::kInvalidArgument,
                  "explicit hash key must be a decimal number from 0 to 2^128-1");
    }
    hash_key = *parsed;
  }
  std::string compressed;
  if (config_.compression != Compression::kNone) {
    auto result = CompressRecord(data, config_.compression, config_.compression_level);
    if (!result) return Fail(result.error());
    compressed = std::move(*result);
    data = compressed;
  }
  const uint64_t size = partition_key.size() + data.size();
  if (size > config_.max_record_bytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "record of " + std::to_string(size) +
                    " bytes (data and partition key) is over max_record_bytes (" +
                    std::to_string(config_.max_record_bytes) + ")");
  }
  if (Status reserved = Reserve(size); !reserved) return Fail(reserved.error());

  detail::PutState* state =
      detail::PutState::Create(partition_key, data, explicit_hash_key.value_or(""));
  state->refs.store(2, std::memory_order_relaxed);  // the future's and the pipeline's
  state->hash_key = hash_key;
  state->arrival = Clock::now();
  uncompleted_.fetch_add(1);
  Enqueue(stream, RecordRef(state));
  return PutFuture(state);
}

Status Producer::Core::Reserve(uint64_t bytes) {
  auto try_reserve = [this, bytes] {
    const uint64_t records = outstanding_records_.fetch_add(1) + 1;
    const uint64_t total = outstanding_bytes_.fetch_add(bytes) + bytes;
    // A record alone is always let in, however large.
    if (records == 1 ||
        (records <= config_.max_outstanding_records && total <= config_.max_outstanding_bytes)) {
      return true;
    }
    outstanding_records_.fetch_sub(1);
    outstanding_bytes_.fetch_sub(bytes);
    return false;
  };
  if (try_reserve()) return Ok();
  auto full = [this] {
    return Fail(ErrorCode::kResourceExhausted,
                "producer buffer is full: " + std::to_string(outstanding_records()) +
                    " records outstanding (max_outstanding_records " +
                    std::to_string(config_.max_outstanding_records) + ", max_outstanding_bytes " +
                    std::to_string(config_.max_outstanding_bytes) + ")");
  };
  if (config_.buffer_full_policy == BufferFullPolicy::kFail || OnIoThread()) return full();
  std::unique_lock lock(capacity_mutex_);
  capacity_waiters_.fetch_add(1);
  while (!try_reserve()) {
    if (stopping_.load()) {
      capacity_waiters_.fetch_sub(1);
      return Fail(ErrorCode::kFailedPrecondition, "the producer is shutting down");
    }
    capacity_changed_.wait(lock);
  }
  capacity_waiters_.fetch_sub(1);
  return Ok();
}

void Producer::Core::Enqueue(std::string_view stream, RecordRef record) {
  const bool may_wait = config_.buffer_full_policy == BufferFullPolicy::kBlock && !OnIoThread();
  bool post = false;
  {
    std::unique_lock lock(incoming_mutex_);
    if (last_stream_ >= stream_names_.size() || stream_names_[last_stream_] != stream) {
      auto it = std::find(stream_names_.begin(), stream_names_.end(), stream);
      if (it == stream_names_.end()) it = stream_names_.emplace(stream_names_.end(), stream);
      last_stream_ = static_cast<uint32_t>(it - stream_names_.begin());
    }
    incoming_.push_back(Incoming{last_stream_, std::move(record)});
    post = !drain_posted_;
    drain_posted_ = true;
    if (may_wait && incoming_.size() >= kMaxIncoming) {
      if (post) PostDrain();
      post = false;
      incoming_waiters_ = true;
      incoming_taken_.wait(lock,
                           [this] { return incoming_.size() < kMaxIncoming || stopping_.load(); });
    }
  }
  if (post) PostDrain();
}

void Producer::Core::PostDrain() {
  asio::post(strand_, [this] { DrainSlice(); });
}

bool Producer::Core::Drain() {
  if (drained_ == draining_.size()) {
    draining_.clear();
    drained_ = 0;
    std::lock_guard lock(incoming_mutex_);
    incoming_.swap(draining_);
    drain_posted_ = false;
    if (std::exchange(incoming_waiters_, false)) incoming_taken_.notify_all();
    for (size_t i = pipeline_of_stream_.size(); i < stream_names_.size(); ++i) {
      pipeline_of_stream_.push_back(&PipelineFor(stream_names_[i]));
    }
  }
  // A slice at a time, so that responses and timers waiting for the strand are not held up
  // by tens of thousands of records; runs of one stream go to its pipeline together.
  const size_t end = std::min(draining_.size(), drained_ + kDrainSlice);
  for (size_t i = drained_; i < end; ++i) {
    run_.push_back(std::move(draining_[i].record));
    const uint32_t stream = draining_[i].stream;
    if (i + 1 == end || draining_[i + 1].stream != stream) {
      pipeline_of_stream_[stream]->AddNew(run_);
    }
  }
  drained_ = end;
  return drained_ == draining_.size();
}

void Producer::Core::DrainSlice() {
  if (!Drain()) PostDrain();
}

StreamPipeline& Producer::Core::PipelineFor(const std::string& stream) {
  auto it = pipelines_.find(stream);
  if (it == pipelines_.end()) {
    it = pipelines_.emplace(stream, std::make_unique<StreamPipeline>(stream, config_, *this)).first;
  }
  return *it->second;
}

void Producer::Core::Flush() {
  asio::post(strand_, [this] {
    while (!Drain()) {
    }
    for (auto& [name, pipeline] : pipelines_) pipeline->Flush();
  });
}

bool Producer::Core::FlushSync(std::chrono::milliseconds timeout) {
  Flush();
  if (OnIoThread()) return outstanding_records() == 0;  // waiting here would deadlock
  std::unique_lock lock(capacity_mutex_);
  capacity_waiters_.fetch_add(1);
  auto drained = [this] { return uncompleted_.load() == 0 || stopping_.load(); };
  bool done = true;
  if (timeout == std::chrono::milliseconds::max()) {
    capacity_changed_.wait(lock, drained);
  } else {
    done = capacity_changed_.wait_for(lock, timeout, drained);
  }
  capacity_waiters_.fetch_sub(1);
  return done && uncompleted_.load() == 0;
}

void Producer::Core::Released(uint64_t records, uint64_t bytes) {
  outstanding_records_.fetch_sub(records);
  outstanding_bytes_.fetch_sub(bytes);
  if (capacity_waiters_.load() > 0) {
    std::lock_guard lock(capacity_mutex_);
    capacity_changed_.notify_all();
  }
}

void Producer::Core::Completed(uint64_t records) {
  uncompleted_.fetch_sub(records);
  if (capacity_waiters_.load() > 0) {
    std::lock_guard lock(capacity_mutex_);
    capacity_changed_.notify_all();
  }
}

void Producer::Core::WakeAt(Clock::time_point when) {
  if (when >= timer_at_) return;
  timer_at_ = when;
  timer_.expires_at(when);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted) return;
    OnTimer();
  });
}

void Producer::Core::OnTimer() {
  timer_at_ = Clock::time_point::max();
  const Clock::time_point now = Clock::now();
  Clock::time_point next = Clock::time_point::max();
  for (auto& [name, pipeline] : pipelines_) next = std::min(next, pipeline->Poll(now));
  if (next != Clock::time_point::max()) WakeAt(next);
}

void Producer::Core::Send(std::unique_ptr<PutRecordsBatch> batch) {
  queued_.push_back(std::move(batch));
  Dispatch();
}

void Producer::Core::Dispatch() {
  while (in_flight_ < config_.max_connections && !queued_.empty()) {
    std::unique_ptr<PutRecordsBatch> batch = std::move(queued_.front());
    queued_.pop_front();
    ++in_flight_;
    running_.insert(batch.get());
    asio::co_spawn(io_.get_executor(), RunBatch(std::move(batch)), asio::detached);
  }
}

asio::awaitable<void> Producer::Core::RunBatch(std::unique_ptr<PutRecordsBatch> batch) {
  BatchOutcome outcome;
  outcome.started = WallClock::now();
  const Clock::time_point start = Clock::now();
  try {
    auto response = co_await http_->Post(std::string(kPutRecordsTarget), batch->Body());
    if (!response) {
      outcome.error_code = response.error().code;
      outcome.error_message = response.error().message;
    } else if (response->status == 200) {
      auto parsed = ParsePutRecordsResponse(response->body, batch->records.size());
      if (parsed) {
        outcome.records = std::move(*parsed);
      } else {
        // Which result belongs to which record is unknown: fail them (not retryable, as
        // the records may well be in the stream), as the KPL does.
        outcome.error_code = "BadResponse";
        outcome.error_message = parsed.error().message;
        outcome.http_status = 200;
      }
    } else {
      ServiceError error = ParseServiceError(*response);
      outcome.error_code = std::move(error.type);
      outcome.error_message = std::move(error.message);
      outcome.http_status = response->status;
    }
  } catch (const std::exception& e) {
    outcome.error_code = "InternalFailure";
    outcome.error_message = std::string("producer request failed: ") + e.what();
  }
  outcome.finished = WallClock::now();
  outcome.latency = Clock::now() - start;
  asio::post(strand_, [this, batch = std::move(batch), outcome = std::move(outcome)]() mutable {
    --in_flight_;
    running_.erase(batch.get());
    StreamPipeline* pipeline = batch->pipeline;
    pipeline->OnPutRecordsDone(std::move(batch), std::move(outcome));
    Dispatch();
  });
}

void Producer::Core::ListShards(StreamPipeline& pipeline) {
  asio::co_spawn(io_.get_executor(), RunListShards(&pipeline), asio::detached);
}

asio::awaitable<void> Producer::Core::RunListShards(StreamPipeline* pipeline) {
  Result<std::vector<ListedShard>> result = std::vector<ListedShard>{};
  try {
    std::optional<std::string> token;
    do {
      auto response = co_await http_->Post(std::string(kListShardsTarget),
                                           ListShardsBody(pipeline->stream(), token));
      if (!response) {
        result = Fail(ErrorCode::kUnavailable, "ListShards: " + response.error().message);
        break;
      }
      if (response->status != 200) {
        ServiceError error = ParseServiceError(*response);
        result = Fail(ErrorCode::kUnavailable, "ListShards: " + error.type + ": " + error.message);
        break;
      }
      auto page = ParseListShardsResponse(response->body);
      if (!page) {
        result = Fail(page.error());
        break;
      }
      for (ListedShard& shard : page->shards) result->push_back(std::move(shard));
      token = std::move(page->next_token);
    } while (token);
  } catch (const std::exception& e) {
    result = Fail(ErrorCode::kInternal, std::string("ListShards failed: ") + e.what());
  }
  asio::post(strand_, [pipeline, result = std::move(result)]() mutable {
    pipeline->OnShardsListed(std::move(result));
  });
}

MetricsSnapshot Producer::Core::Metrics() {
  auto collect = [this] {
    MetricsSnapshot snapshot;
    for (auto& [name, pipeline] : pipelines_) snapshot.streams.push_back(pipeline->Snapshot());
    snapshot.outstanding_records = uncompleted_.load();
    snapshot.outstanding_bytes = outstanding_bytes_.load();
    return snapshot;
  };
  if (strand_.running_in_this_thread()) return collect();
  std::promise<MetricsSnapshot> promise;
  std::future<MetricsSnapshot> future = promise.get_future();
  asio::post(strand_, [&promise, &collect] { promise.set_value(collect()); });
  return future.get();
}

}  // namespace sluice::client
