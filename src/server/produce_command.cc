#include "server/produce_command.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "sluice/producer.h"
#include "taxi/trip_csv.h"
#include "taxi/trip_json.h"

namespace sluice::server {

namespace {

constexpr size_t kLinesPerBatch = 2048;
constexpr size_t kQueuedBatches = 8;
constexpr size_t kRejectsOnStderr = 20;
constexpr auto kProgressPeriod = std::chrono::milliseconds(250);
constexpr int kExitRowsRejected = 3;  // every well-formed row put, some rows malformed

// A run of consecutive lines of the input.
struct LineBatch {
  uint64_t first_line = 0;  // 1-based line number of lines[0]
  std::vector<std::string> lines;
};

// Batches from the reader to the workers; Pop() returns false once closed and drained.
class BatchQueue {
 public:
  void Push(LineBatch batch) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return batches_.size() < kQueuedBatches; });
    batches_.push_back(std::move(batch));
    ready_.notify_one();
  }
  bool Pop(LineBatch& batch) {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return closed_ || !batches_.empty(); });
    if (batches_.empty()) return false;
    batch = std::move(batches_.front());
    batches_.pop_front();
    room_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    ready_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::condition_variable room_;
  std::deque<LineBatch> batches_;
  bool closed_ = false;
};

// A CSV field: quoted, with inner quotes doubled.
std::string CsvQuoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Malformed rows: every one goes to the rejects file (line, error, row as CSV), the first
// few to stderr too.
class Rejects {
 public:
  explicit Rejects(std::string path) : path_(std::move(path)) {}
  [[nodiscard]] bool Open() {
    file_.open(path_, std::ios::trunc);
    file_ << "line,error,row\n";
    return file_.good();
  }
  void Add(uint64_t line, const std::string& error, std::string_view row) {
    std::lock_guard lock(mu_);
    if (count_++ < kRejectsOnStderr) {
      std::fprintf(stderr, "line %llu: malformed row: %s\n", static_cast<unsigned long long>(line),
                   error.c_str());
    }
    file_ << line << ',' << CsvQuoted(error) << ',' << CsvQuoted(row) << '\n';
  }
  uint64_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  [[nodiscard]] bool Close() {
    file_.close();
    return !file_.fail();
  }
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  mutable std::mutex mu_;
  std::ofstream file_;  // guarded by mu_
  uint64_t count_ = 0;  // guarded by mu_
};

// A record that was not put, with its last attempt's error.
struct Failure {
  uint64_t line = 0;
  std::string id;
  std::string code;
  std::string message;
};

// What became of the good rows: puts per shard, and every failure. Filled from the
// producer's I/O threads (then() callbacks): short critical sections only.
class Outcomes {
 public:
  void Succeeded(const std::string& shard_id) {
    std::lock_guard lock(mu_);
    ++per_shard_[shard_id];
    ++put_;
  }
  void Failed(Failure failure) {
    std::lock_guard lock(mu_);
    failures_.push_back(std::move(failure));
  }
  uint64_t put() const {
    std::lock_guard lock(mu_);
    return put_;
  }
  void Print() const {
    std::lock_guard lock(mu_);
    for (const auto& [shard, count] : per_shard_) {
      std::printf("  %s: %llu records\n", shard.c_str(), static_cast<unsigned long long>(count));
    }
    for (const Failure& f : failures_) {
      std::fprintf(stderr, "line %llu: trip %s failed: %s: %s\n",
                   static_cast<unsigned long long>(f.line), f.id.c_str(), f.code.c_str(),
                   f.message.c_str());
    }
  }
  size_t failed() const {
    std::lock_guard lock(mu_);
    return failures_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> per_shard_;
  std::vector<Failure> failures_;
  uint64_t put_ = 0;
};

client::ProducerConfig ProducerConfigFor(const ProduceOptions& options) {
  client::ProducerConfig config;
  config.endpoint = options.endpoint;
  config.region = options.region;
  config.aggregation_enabled = options.aggregation;
  config.rate_limit = options.rate_limit;
  config.sign_requests = options.sign;
  return config;
}

// The whole upload: one reader (the calling thread), parsing workers, a progress line.
class Upload {
 public:
  Upload(const ProduceOptions& options, client::Producer& producer, Rejects& rejects)
      : options_(options),
        producer_(producer),
        rejects_(rejects),
        encoder_(std::filesystem::path(options.file).filename().string()) {}

  // Reads the file through the workers; false if it cannot be read.
  bool Run(std::ifstream& input, uint64_t file_bytes) {
    const unsigned count =
        options_.threads > 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < count; ++i) workers.emplace_back([this] { Work(); });
    std::thread progress([&] { ShowProgress(file_bytes); });
    const bool read = Read(input);
    queue_.Close();
    for (std::thread& worker : workers) worker.join();
    producer_.FlushSync();
    done_ = true;
    progress.join();
    return read;
  }

  uint64_t rows() const { return rows_; }
  const Outcomes& outcomes() const { return outcomes_; }

 private:
  bool Read(std::ifstream& input) {
    LineBatch batch{1, {}};
    std::string line;
    for (uint64_t number = 1; std::getline(input, line); ++number) {
      bytes_read_ += line.size() + 1;
      if (number == 1 && taxi::IsTripCsvHeader(line)) {
        batch.first_line = 2;
        continue;
      }
      batch.lines.push_back(std::move(line));
      if (batch.lines.size() == kLinesPerBatch) {
        queue_.Push(std::move(batch));
        batch = LineBatch{number + 1, {}};
      }
    }
    if (!batch.lines.empty()) queue_.Push(std::move(batch));
    return !input.bad();
  }

  void Work() {
    LineBatch batch;
    taxi::Trip trip;
    std::string json;
    while (queue_.Pop(batch)) {
      for (size_t i = 0; i < batch.lines.size(); ++i) {
        const uint64_t line = batch.first_line + i;
        if (auto parsed = taxi::ParseTripCsv(batch.lines[i], trip); !parsed) {
          rejects_.Add(line, parsed.error().message, batch.lines[i]);
          continue;
        }
        json.clear();
        encoder_.Append(trip, json);
        Put(line, trip.id, json);
      }
      rows_ += batch.lines.size();
    }
  }

  void Put(uint64_t line, const std::string& id, const std::string& json) {
    auto put = producer_.Put(options_.stream, id, json);
    if (!put) {
      outcomes_.Failed(Failure{line, id, "NotQueued", put.error().message});
      return;
    }
    put->then([this, line, id](const client::PutResult& result) {
      if (result.succeeded) {
        outcomes_.Succeeded(result.shard_id);
        return;
      }
      const client::Attempt& last = result.attempts.back();
      outcomes_.Failed(Failure{line, id, last.error_code, last.error_message});
    });
  }

  void ShowProgress(uint64_t file_bytes) {
    if (!options_.progress || !isatty(STDERR_FILENO)) return;
    const auto start = std::chrono::steady_clock::now();
    while (!done_) {
      std::this_thread::sleep_for(kProgressPeriod);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double share = file_bytes > 0 ? static_cast<double>(bytes_read_) / file_bytes : 1.0;
      const int filled = static_cast<int>(std::min(1.0, share) * 30);
      std::fprintf(stderr, "\r[%-30s] %3.0f%%  %llu put  %.0f records/s ",
                   std::string(filled, '#').c_str(), std::min(1.0, share) * 100,
                   static_cast<unsigned long long>(outcomes_.put()),
                   static_cast<double>(outcomes_.put()) / std::max(seconds, 1e-3));
    }
    std::fprintf(stderr, "\n");
  }

  const ProduceOptions& options_;
  client::Producer& producer_;
  Rejects& rejects_;
  const taxi::TripJsonEncoder encoder_;
  BatchQueue queue_;
  Outcomes outcomes_;
  std::atomic<uint64_t> rows_{0};
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<bool> done_{false};
};

}  // namespace

int RunProduce(const ProduceOptions& options) {
  std::ifstream input(options.file);
  if (!input) {
    std::fprintf(stderr, "sluice produce: cannot read %s\n", options.file.c_str());
    return 1;
  }
  std::error_code error;
  const uint64_t file_bytes = std::filesystem::file_size(options.file, error);
  auto producer = client::Producer::Create(ProducerConfigFor(options));
  if (!producer) {
    std::fprintf(stderr, "sluice produce: %s\n", producer.error().message.c_str());
    return 2;
  }
  Rejects rejects(options.rejects.empty() ? options.file + ".rejects" : options.rejects);
  if (!rejects.Open()) {
    std::fprintf(stderr, "sluice produce: cannot write %s\n", rejects.path().c_str());
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  Upload upload(options, **producer, rejects);
  const bool read = upload.Run(input, file_bytes);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool rejects_written = rejects.Close();
  const Outcomes& outcomes = upload.outcomes();
  std::printf("produce: %llu rows in %.2f s: %llu put to %s, %zu failed, %llu malformed (%s)\n",
              static_cast<unsigned long long>(upload.rows()), seconds,
              static_cast<unsigned long long>(outcomes.put()), options.stream.c_str(),
              outcomes.failed(), static_cast<unsigned long long>(rejects.count()),
              rejects.path().c_str());
  outcomes.Print();
  if (!read || !rejects_written) {
    std::fprintf(stderr, "sluice produce: %s\n",
                 read ? "writing the rejects file failed" : "reading the input failed");
    return 1;
  }
  if (outcomes.failed() > 0) return 1;
  return rejects.count() == 0 ? 0 : kExitRowsRejected;
}

}  // namespace sluice::server
