#include "storage/flusher.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <system_error>

#include "common/assert.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"

namespace sluice::storage {

Flusher::Flusher(FlusherOptions options, std::unique_ptr<WriteAheadLog> log)
    : options_(options), log_(std::move(log)) {}

Result<std::unique_ptr<Flusher>> Flusher::Start(FlusherOptions options,
                                                std::unique_ptr<WriteAheadLog> log) {
  if (options.tick_ms <= 0 || options.sync_threads <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "flusher tick_ms and sync_threads must be positive");
  }
  auto flusher = std::unique_ptr<Flusher>(new Flusher(options, std::move(log)));
  try {
    flusher->thread_ = std::thread([raw = flusher.get()] {
      NameThisThread("sluice-flusher");
      raw->Run();
    });
    if (flusher->log_ != nullptr) {  // only logged bytes are held back in segment tails
      flusher->write_behind_thread_ = std::thread([raw = flusher.get()] {
        NameThisThread("sluice-writeout");
        (void)MakeThisThreadBackground();  // a full tail block waits in memory meanwhile
        raw->RunWriteBehind();
      });
    }
    for (int i = 0; i < options.sync_threads; ++i) {
      flusher->sync_threads_.emplace_back([raw = flusher.get()] {
        NameThisThread("sluice-sync");
        raw->RunSyncs();
      });
    }
  } catch (const std::system_error& error) {
    return Fail(ErrorCode::kInternal,
                std::string("cannot start the flusher threads: ") + error.what());
  }
  return flusher;
}

Flusher::~Flusher() {
  {
    std::lock_guard lock(mu_);
    SLUICE_ASSERT(registered_.empty(), "flusher destroyed while shard logs still use it");
    stop_ = true;
  }
  wake_cv_.notify_all();
  sync_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (std::thread& sync_thread : sync_threads_) sync_thread.join();
  {
    std::lock_guard lock(write_behind_mu_);
    write_behind_stop_ = true;
  }
  write_behind_cv_.notify_all();
  if (write_behind_thread_.joinable()) write_behind_thread_.join();
}

void Flusher::Register(FlushClient* client) {
  std::lock_guard lock(mu_);
  registered_.push_back(client);
}

void Flusher::Unregister(FlushClient* client) {
  SLUICE_ASSERT(!OnFlusherThread(), "Unregister called on the flusher thread");
  std::unique_lock lock(mu_);
  std::erase(registered_, client);
  std::erase(queue_, client);
  idle_cv_.wait(lock, [&] { return !running_iteration_; });
}

void Flusher::QueueLocked(FlushClient* client) {
  if (client->queued_.exchange(true, std::memory_order_acq_rel)) return;
  queue_.push_back(client);
  wake_cv_.notify_one();
}

void Flusher::Notify(FlushClient* client) { NotifyAll(std::span<FlushClient* const>(&client, 1)); }

void Flusher::NotifyAll(std::span<FlushClient* const> clients) {
  auto queued = [](const FlushClient* client) {
    return client->queued_.load(std::memory_order_acquire);
  };
  if (std::all_of(clients.begin(), clients.end(), queued)) return;
  std::lock_guard lock(mu_);
  for (FlushClient* client : clients) QueueLocked(client);
}

FlushNotices::~FlushNotices() {
  if (!clients_.empty()) flusher_->NotifyAll(clients_);
}

void FlushNotices::Add(Flusher* flusher, FlushClient* client) {
  if (flusher == flusher_) {
    clients_.push_back(client);
  } else {
    flusher->Notify(client);
  }
}

void SyncJob::Clear() {
  files.clear();
  env = nullptr;
  dir.clear();
  writes.clear();
  client = nullptr;
  status = Ok();
  done = false;
}

void Flusher::SubmitSync(SyncJob* job) {
  SLUICE_ASSERT(OnFlusherThread(), "SubmitSync called off the flusher thread");
  job->done = false;  // not yet visible to other threads
  submitted_.push_back(job);
}

void Flusher::PublishSyncs() {
  if (log_ != nullptr) LogSubmitted();
  if (submitted_.empty()) return;
  bool batched = false;
  {
    std::lock_guard lock(mu_);
    sync_jobs_.insert(sync_jobs_.end(), submitted_.begin(), submitted_.end());
    batched = BatchSyncsLocked();
  }
  submitted_.clear();
  if (batched) {
    sync_cv_.notify_one();  // one sync thread takes them all
  } else {
    sync_cv_.notify_all();
  }
}

void Flusher::LogSubmitted() {
  logging_.clear();
  std::erase_if(submitted_, [this](SyncJob* job) {
    if (!job->logged()) return false;
    logging_.push_back(job);
    return true;
  });
  if (logging_.empty()) return;
  const Status status = LogWrites(logging_);
  // Nobody waits on sync_done_cv_ for these: WaitSync runs on this thread.
  std::lock_guard lock(mu_);
  for (SyncJob* job : logging_) {
    job->status = status;
    job->done = true;
  }
}

bool Flusher::SyncDone(const SyncJob* job) const {
  std::lock_guard lock(mu_);
  return job->done;
}

void Flusher::WaitSync(const SyncJob* job) const {
  SLUICE_ASSERT(std::find(submitted_.begin(), submitted_.end(), job) == submitted_.end(),
                "waiting for a sync job that is not published yet");
  std::unique_lock lock(mu_);
  sync_done_cv_.wait(lock, [&] { return job->done; });
}

size_t Flusher::queued_sync_jobs() const {
  std::lock_guard lock(mu_);
  return sync_jobs_.size();
}

Status Flusher::RunOnFlusherThread(std::function<Status()> task) {
  SLUICE_ASSERT(!OnFlusherThread(), "RunOnFlusherThread called on the flusher thread");
  Task entry{std::move(task), Ok(), false};
  std::unique_lock lock(mu_);
  tasks_.push_back(&entry);
  wake_cv_.notify_one();
  idle_cv_.wait(lock, [&] { return entry.done; });
  return entry.status;
}

bool Flusher::OnFlusherThread() const { return std::this_thread::get_id() == thread_.get_id(); }

void Flusher::Run() {
  using Clock = std::chrono::steady_clock;
  const auto tick = std::chrono::milliseconds(options_.tick_ms);
  auto next_tick = Clock::now() + tick;
  std::vector<FlushClient*> batch;
  std::deque<Task*> tasks;
  std::vector<FlushClient*> ticking;
  std::unique_lock lock(mu_);
  while (true) {
    wake_cv_.wait_until(lock, next_tick,
                        [&] { return stop_ || !queue_.empty() || !tasks_.empty(); });
    if (stop_ && queue_.empty() && tasks_.empty()) break;
    batch.swap(queue_);
    tasks.swap(tasks_);
    bool tick_due = Clock::now() >= next_tick;
    if (tick_due) ticking = registered_;
    running_iteration_ = true;
    lock.unlock();

    for (FlushClient* client : batch) {
      client->queued_.store(false, std::memory_order_release);
      client->FlushCycle();
    }
    PublishSyncs();
    for (FlushClient* client : batch) client->FinishCycle();
    batch.clear();
    for (Task* task : tasks) task->status = task->run();
    if (tick_due) {
      for (FlushClient* client : ticking) client->Tick();
      ticking.clear();
      next_tick = Clock::now() + tick;
    }

    lock.lock();
    for (Task* task : tasks) task->done = true;
    tasks.clear();
    running_iteration_ = false;
    idle_cv_.notify_all();
  }
}

void Flusher::RunSyncs() {
  std::unique_lock lock(mu_);
  while (true) {
    sync_cv_.wait(lock, [&] { return stop_ || !sync_jobs_.empty(); });
    if (sync_jobs_.empty()) break;  // stopping
    std::vector<SyncJob*> jobs = TakeSyncJobsLocked();
    lock.unlock();
    std::vector<Status> statuses = RunSyncJobs(jobs);
    lock.lock();
    // The jobs and their clients are not touched after this (under mu_), so a client may
    // go away once it has seen `done`.
    for (size_t i = 0; i < jobs.size(); ++i) {
      jobs[i]->status = std::move(statuses[i]);
      jobs[i]->done = true;
      QueueLocked(jobs[i]->client);
    }
    sync_done_cv_.notify_all();
  }
}

bool Flusher::BatchSyncsLocked() const {
  return options_.batch_sync_min_jobs > 0 && sync_jobs_.size() >= options_.batch_sync_min_jobs;
}

std::vector<SyncJob*> Flusher::TakeSyncJobsLocked() {
  std::vector<SyncJob*> jobs;
  const bool batch = BatchSyncsLocked();
  do {
    jobs.push_back(sync_jobs_.front());
    sync_jobs_.pop_front();
  } while (batch && !sync_jobs_.empty());
  return jobs;
}

std::vector<Status> Flusher::RunSyncJobs(const std::vector<SyncJob*>& jobs) {
  // Once the log has stopped, no sync of this folder may succeed: a later append could
  // be acknowledged at positions its failed entry covers, which the replay would undo.
  if (Status logged = write_ahead_log_status(); !logged) {
    return std::vector<Status>(jobs.size(), logged);
  }
  // One syncfs per file system covers every job's files and their folders; if one fails,
  // each job syncs on its own, so that each learns its own outcome.
  const bool batched = jobs.size() > 1 && SyncFileSystems(jobs);
  std::vector<Status> statuses;
  for (const SyncJob* job : jobs) {
    const bool synced = batched && !job->files.empty();
    statuses.push_back(synced ? Ok() : RunSyncJob(*job));
  }
  return statuses;
}

Status Flusher::LogWrites(const std::vector<SyncJob*>& jobs) {
  std::vector<LoggedWrite>& writes = entry_writes_;
  writes.clear();
  uint64_t entry_bytes = 0;
  auto append = [&]() -> Status {
    if (writes.empty()) return Ok();
    Status status = log_->Append(writes);
    writes.clear();
    entry_bytes = 0;
    return status;
  };
  for (SyncJob* job : jobs) {
    // Each job fits in an entry (CanLog); a cycle's jobs together may not.
    const uint64_t job_bytes = WriteAheadLog::EntryBytes(job->writes);
    if (entry_bytes + job_bytes > log_->entry_capacity()) {
      if (Status status = append(); !status) return status;
    }
    writes.insert(writes.end(), job->writes.begin(), job->writes.end());
    entry_bytes += job_bytes;
  }
  if (Status status = append(); !status) return status;
  return log_->status();
}

bool Flusher::CanLog(std::span<WritableFile* const> files,
                     std::span<const LoggedWrite> writes) const {
  if (log_ == nullptr) return false;
  const uint64_t file_system = log_->file_system_id();
  return std::all_of(
             files.begin(), files.end(),
             [&](const WritableFile* file) { return file->FileSystemId() == file_system; }) &&
         log_->CanLog(writes);
}

void Flusher::WriteBehind(std::shared_ptr<BackgroundWrite> write) {
  SLUICE_ASSERT(log_ != nullptr, "WriteBehind needs a write-ahead log");
  {
    std::lock_guard lock(write_behind_mu_);
    write_behind_.push_back(std::move(write));
  }
  write_behind_cv_.notify_one();
}

void Flusher::RunWriteBehind() {
  std::vector<std::shared_ptr<BackgroundWrite>> writes;
  std::unique_lock lock(write_behind_mu_);
  while (true) {
    write_behind_cv_.wait(lock, [&] { return write_behind_stop_ || !write_behind_.empty(); });
    if (write_behind_stop_) return;  // what is left, its owners write themselves
    writes.swap(write_behind_);
    lock.unlock();
    for (const auto& write : writes) write->WriteBehind();
    writes.clear();
    lock.lock();
  }
}

void Flusher::DeferToCheckpoint(std::shared_ptr<DeferredWrites> writes) {
  log_->Defer(std::move(writes));
}

bool Flusher::SyncFileSystems(const std::vector<SyncJob*>& jobs) {
  std::map<uint64_t, WritableFile*> file_systems;
  for (const SyncJob* job : jobs) {
    for (WritableFile* file : job->files) file_systems.emplace(file->FileSystemId(), file);
  }
  return std::all_of(file_systems.begin(), file_systems.end(),
                     [](const auto& entry) { return entry.second->SyncFileSystem().has_value(); });
}

Status Flusher::RunSyncJob(const SyncJob& job) {
  for (WritableFile* file : job.files) {
    if (auto status = file->Sync(); !status) return status;
  }
  if (!job.dir.empty()) return job.env->SyncDir(job.dir);
  return Ok();
}

}  // namespace sluice::storage
