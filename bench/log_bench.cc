// log_bench: the shard log against the disk it runs on.
//
// Workloads, in one run:
//   raw          sequential 256 KiB writes with fdatasync every 1 MiB (the baseline; run
//                twice, the faster counts; also with space reserved ahead like the log)
//   append_sync  `sync` appends of 100-byte and 1 KiB records, batches of 500, from 1, 4
//                and 16 writer threads on one shard; each also sealed (AES-256-GCM,
//                ShardLog::SetSealKey) right after the plain run
//   read_seq     sequential reads of a 1 GiB shard from the page cache
//   recovery     opening that 1 GiB shard: after a clean close (files cached and not),
//                after kill -9 of a writer, and with every index deleted (full rebuild,
//                files cached and not)
// Prints its figures, then one line of key=value pairs.
//
// Usage: log_bench [--dir PATH] [--seconds S] [--shard-mib N] [--append SIZE:WRITERS]
//                  [--sealed]
//   --dir        data folder (default: a temporary folder beside the build's bench/;
//                removed at the end)
//   --seconds    length of each timed workload (default 2.5)
//   --shard-mib  size of the read/recovery shard (default 1024)
//   --append     run only that append workload (e.g. 1024:16), for profiling
//   --sealed     with --append: seal it

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/crc32c.h"
#include "storage/frame.h"
#include "storage/posix_env.h"
#include "storage/shard_log.h"

namespace sluice::storage {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kBatchRecords = 500;
constexpr size_t kKeyBytes = 16;

struct Config {
  std::string dir;
  bool own_dir = false;
  double seconds = 2.5;
  uint64_t shard_bytes = uint64_t{1} << 30;
  size_t only_data_bytes = 0;  // --append: run just this workload
  int only_writers = 0;
  bool only_sealed = false;
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "log_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Check(Result<T> result, const char* what) {
  if (!result) Die(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}

void Check(const Status& status, const char* what) {
  if (!status) Die(std::string(what) + ": " + status.error().message);
}

// The baseline: what the disk does with large sequential writes and an fdatasync per MiB.
// With `preallocate`, space is reserved ahead with fallocate in 8 MiB steps, as the log does.
double RawMegabytesPerSecond(const Config& config, double seconds, bool preallocate) {
  std::string path = config.dir + "/raw.bin";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Die("cannot create " + path);
  constexpr size_t kWrite = 256 << 10;
  constexpr uint64_t kReserveStep = uint64_t{8} << 20;
  uint64_t reserved = 0;
  std::vector<char> buffer(kWrite, 'r');
  uint64_t bytes = 0;
  auto start = Clock::now();
  while (SecondsSince(start) < seconds && bytes < (uint64_t{8} << 30)) {
    if (preallocate && bytes + (1 << 20) > reserved) {
      if (::fallocate(fd, 0, static_cast<off_t>(reserved), kReserveStep) != 0)
        Die("fallocate failed");
      reserved += kReserveStep;
    }
    for (int i = 0; i < 4; ++i) {
      if (::write(fd, buffer.data(), kWrite) != static_cast<ssize_t>(kWrite))
        Die("raw write failed");
      bytes += kWrite;
    }
    if (::fdatasync(fd) != 0) Die("raw fdatasync failed");
  }
  double elapsed = SecondsSince(start);
  ::close(fd);
  ::unlink(path.c_str());
  return static_cast<double>(bytes) / elapsed / 1e6;
}

// One writer's batch: 500 records of `data_bytes`, built once and appended over and over.
struct Batch {
  std::vector<std::string> keys;
  std::string data;
  std::vector<RecordInput> inputs;

  Batch(int writer, size_t data_bytes) : data(data_bytes, 'd') {
    for (size_t i = 0; i < kBatchRecords; ++i) {
      char key[kKeyBytes + 1];
      std::snprintf(key, sizeof(key), "pk-%04d-%08zu", writer, i);
      keys.emplace_back(key, kKeyBytes);
    }
    for (size_t i = 0; i < kBatchRecords; ++i) inputs.push_back(RecordInput{keys[i], "", data});
  }
};

struct AppendFigures {
  double records_per_second = 0;
  double data_mb_per_second = 0;
  double disk_mb_per_second = 0;
  double syncs_per_second = 0;
};

// `sealed`: every batch is sealed with AES-256-GCM under one key.
AppendFigures AppendSync(const Config& config, Flusher* flusher, size_t data_bytes, int writers,
                         bool sealed) {
  std::string dir =
      config.dir + "/append-" + std::to_string(data_bytes) + "-" + std::to_string(writers);
  ShardLogOptions options;
  options.name = "bench";
  options.durability = DurabilityPolicy::kSync;
  auto log = Check(ShardLog::Open(PosixEnv::Default(), flusher, dir, options), "open");
  if (sealed) {
    SealKey key{1, {}};
    Check(FillRandom(std::span(reinterpret_cast<char*>(key.bytes.data()), key.bytes.size())),
          "key");
    Check(log->SetSealKey(key), "seal key");
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> records{0};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      Batch batch(w, data_bytes);
      uint64_t mine = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        Check(log->AppendBatch(batch.inputs), "append");
        mine += kBatchRecords;
      }
      records.fetch_add(mine);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(config.seconds));
  stop = true;
  for (std::thread& thread : threads) thread.join();
  double elapsed = SecondsSince(start);
  ShardWriter::Stats stats = log->stats();
  Check(log->Close(), "close");
  log.reset();
  Check(ShardLog::Destroy(PosixEnv::Default(), dir), "destroy");

  AppendFigures figures;
  double count = static_cast<double>(records.load());
  figures.records_per_second = count / elapsed;
  figures.data_mb_per_second = count * static_cast<double>(data_bytes) / elapsed / 1e6;
  figures.disk_mb_per_second = static_cast<double>(stats.bytes_written) / elapsed / 1e6;
  figures.syncs_per_second = static_cast<double>(stats.syncs) / elapsed;
  return figures;
}

void PrintAppend(size_t data_bytes, int writers, bool sealed, const AppendFigures& f) {
  std::printf(
      "append    %s %4zu B x %2d writers: %10.0f records/s %8.1f MB/s data %8.1f MB/s on disk "
      "%7.0f fdatasync/s\n",
      sealed ? "sealed" : "sync  ", data_bytes, writers, f.records_per_second, f.data_mb_per_second,
      f.disk_mb_per_second, f.syncs_per_second);
}

// Fills a shard with `bytes` of 1 KiB records (policy `none`: this is set-up, not measured).
uint64_t FillShard(const std::string& dir, Flusher* flusher, uint64_t bytes) {
  ShardLogOptions options;
  options.name = "bench";
  options.durability = DurabilityPolicy::kNone;
  auto log = Check(ShardLog::Open(PosixEnv::Default(), flusher, dir, options), "open");
  constexpr int kWriters = 2;
  std::vector<std::thread> threads;
  std::atomic<uint64_t> written{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Batch batch(w, 1024);
      uint64_t batch_bytes = kBatchRecords * (1024 + kKeyBytes + kFrameHeaderBytes);
      while (written.fetch_add(batch_bytes) < bytes) Check(log->AppendBatch(batch.inputs), "fill");
    });
  }
  for (std::thread& thread : threads) thread.join();
  uint64_t tail = log->tail_position();
  Check(log->Close(), "close");
  return tail;
}

struct ReadFigures {
  double gb_per_second = 0;
  double records_per_second = 0;
};

ReadFigures ReadSequential(const Config& config, Flusher* flusher, const std::string& dir) {
  auto log = Check(ShardLog::Open(PosixEnv::Default(), flusher, dir, ShardLogOptions{}), "open");
  ReadBatch batch;
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t checksum = 0;
  auto start = Clock::now();
  while (SecondsSince(start) < config.seconds) {
    uint64_t position = 0;
    while (true) {
      Check(log->Read(position, ReadLimits{10000, 10 << 20}, &batch), "read");
      if (batch.empty()) break;
      for (const Record& record : batch.records()) {
        checksum += static_cast<unsigned char>(record.data[record.data.size() / 2]);
      }
      bytes += batch.payload_bytes();
      records += batch.records().size();
      position = batch.next_position();
    }
  }
  double elapsed = SecondsSince(start);
  if (checksum == 42) std::printf(" ");  // keeps the reads from being optimised away
  Check(log->Close(), "close");
  return ReadFigures{static_cast<double>(bytes) / elapsed / 1e9,
                     static_cast<double>(records) / elapsed};
}

double OpenMilliseconds(Flusher* flusher, const std::string& dir, uint64_t* scanned = nullptr) {
  auto start = Clock::now();
  auto log = Check(ShardLog::Open(PosixEnv::Default(), flusher, dir, ShardLogOptions{}), "open");
  double ms = SecondsSince(start) * 1e3;
  if (scanned != nullptr) *scanned = log->recovery_scanned_bytes();
  Check(log->Close(), "close");
  return ms;
}

// A child appends with `sync` from 4 writers and is killed with SIGKILL mid-flight.
void KillWriterMidFlight(const std::string& dir) {
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    auto flusher = Flusher::Start();
    if (!flusher) std::_Exit(3);
    auto log = ShardLog::Open(PosixEnv::Default(), flusher->get(), dir, ShardLogOptions{});
    if (!log) std::_Exit(4);
    std::vector<std::thread> threads;
    for (int w = 0; w < 4; ++w) {
      threads.emplace_back([&, w] {
        Batch batch(w, 1024);
        while (true) (void)(*log)->AppendBatch(batch.inputs);
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::raise(SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFSIGNALED(status)) Die("the writer was not killed");
}

// Drops the (clean) pages of the shard's files from the page cache, so the next open
// reads from the disk. Touches only our files; needs no privileges.
void EvictFromPageCache(const std::string& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    (void)::fdatasync(fd);
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

void RemoveIndexes(const std::string& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".idx") std::filesystem::remove(entry.path());
  }
}

Config ParseArgs(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--dir") {
      config.dir = value();
    } else if (arg == "--seconds") {
      config.seconds = std::stod(value());
    } else if (arg == "--shard-mib") {
      config.shard_bytes = std::stoull(value()) << 20;
    } else if (arg == "--sealed") {
      config.only_sealed = true;
    } else if (arg == "--append") {
      std::string spec = value();
      size_t colon = spec.find(':');
      if (colon == std::string::npos) Die("--append takes SIZE:WRITERS");
      config.only_data_bytes = std::stoull(spec.substr(0, colon));
      config.only_writers = std::stoi(spec.substr(colon + 1));
    } else {
      Die("unknown argument " + arg + " (see the top of bench/log_bench.cc)");
    }
  }
  if (config.dir.empty()) {
    // Beside the build: <build>/bench/log_bench -> <build>/log_bench_data.XXXXXX
    std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
    std::string pattern = (exe.parent_path().parent_path() / "log_bench_data.XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) Die("cannot create a data folder");
    config.dir = buffer.data();
    config.own_dir = true;
  } else {
    std::filesystem::create_directories(config.dir);
  }
  return config;
}

int Run(int argc, char** argv) {
  Config config = ParseArgs(argc, argv);
  std::printf("log_bench: data folder %s, %.1f s per workload, CRC32C %s\n", config.dir.c_str(),
              config.seconds, Crc32cUsesHardware() ? "sse4.2" : "portable");
  if (config.only_writers > 0) {
    auto flusher = Check(Flusher::Start(), "flusher");
    PrintAppend(config.only_data_bytes, config.only_writers, config.only_sealed,
                AppendSync(config, flusher.get(), config.only_data_bytes, config.only_writers,
                           config.only_sealed));
    if (config.own_dir) std::filesystem::remove_all(config.dir);
    return 0;
  }
  std::map<std::string, std::string> summary;
  auto put = [&](const std::string& key, double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof(text), "%.*f", decimals, value);
    summary[key] = text;
  };

  // Runs one append workload, prints and records it; returns its data MB/s.
  auto append = [&](Flusher* flusher, size_t data_bytes, int writers, bool sealed,
                    const std::string& name) {
    AppendFigures f = AppendSync(config, flusher, data_bytes, writers, sealed);
    PrintAppend(data_bytes, writers, sealed, f);
    put(name + "_rec_s", f.records_per_second, 0);
    put(name + "_mb_s", f.data_mb_per_second, 1);
    return f.data_mb_per_second;
  };

  // The disk's speed drifts (a VM's host cache fills and drains), so the baseline is
  // measured twice, once at the start and once right before the 1 KiB workloads, and
  // the ratio is taken against the faster of the two.
  double raw_first = RawMegabytesPerSecond(config, config.seconds, false);
  std::printf("raw       256 KiB writes, fdatasync per MiB: %8.1f MB/s\n", raw_first);
  double raw = raw_first;
  double raw_prealloc = 0;
  double sync_1k_w16 = 0;
  {
    auto flusher = Check(Flusher::Start(), "flusher");
    for (size_t data_bytes : {size_t{100}, size_t{1024}}) {
      if (data_bytes == 1024) {
        double raw_again = RawMegabytesPerSecond(config, config.seconds, false);
        std::printf("raw       again, before the 1 KiB runs:    %8.1f MB/s\n", raw_again);
        raw = std::max(raw, raw_again);
        raw_prealloc = RawMegabytesPerSecond(config, config.seconds, true);
        std::printf("raw       the same, space reserved ahead:  %8.1f MB/s\n", raw_prealloc);
      }
      for (int writers : {1, 4, 16}) {
        // Plain and sealed back to back, so the disk's drift affects both alike.
        std::string name =
            std::string(data_bytes == 100 ? "100b" : "1k") + "_w" + std::to_string(writers);
        double plain = append(flusher.get(), data_bytes, writers, false, "sync_" + name);
        double sealed = append(flusher.get(), data_bytes, writers, true, "sealed_" + name);
        if (writers == 16) put("sealed_vs_sync_" + name, sealed / plain, 3);
        if (data_bytes == 1024 && writers == 16) sync_1k_w16 = plain;
      }
    }
  }
  put("raw_mb_s", raw, 1);
  put("raw_prealloc_mb_s", raw_prealloc, 1);
  put("sync_1k_vs_raw", sync_1k_w16 / raw, 3);
  put("sync_1k_vs_raw_prealloc", sync_1k_w16 / raw_prealloc, 3);

  std::string shard = config.dir + "/shard-1g";
  {
    auto flusher = Check(Flusher::Start(), "flusher");
    uint64_t records = FillShard(shard, flusher.get(), config.shard_bytes);
    ReadFigures r = ReadSequential(config, flusher.get(), shard);
    std::printf(
        "read      sequential, page cache:      %8.2f GB/s data %10.0f records/s "
        "(%.0f MiB shard, %llu records)\n",
        r.gb_per_second, r.records_per_second, static_cast<double>(config.shard_bytes) / (1 << 20),
        static_cast<unsigned long long>(records));
    put("read_gb_s", r.gb_per_second, 2);
    uint64_t scanned = 0;
    double clean = OpenMilliseconds(flusher.get(), shard, &scanned);
    std::printf("recovery  open after clean close:      %8.1f ms (%llu bytes checksummed)\n", clean,
                static_cast<unsigned long long>(scanned));
    put("recovery_ms", clean, 1);
  }
  {
    KillWriterMidFlight(shard);  // no threads of ours run across the fork
    auto flusher = Check(Flusher::Start(), "flusher");
    uint64_t scanned = 0;
    double killed = OpenMilliseconds(flusher.get(), shard, &scanned);
    std::printf("recovery  open after kill -9 of writer: %7.1f ms (%llu bytes checksummed)\n",
                killed, static_cast<unsigned long long>(scanned));
    put("recovery_kill9_ms", killed, 1);
    RemoveIndexes(shard);
    double rebuilt = OpenMilliseconds(flusher.get(), shard, &scanned);
    std::printf("recovery  open with every index lost:  %8.1f ms (%llu bytes checksummed)\n",
                rebuilt, static_cast<unsigned long long>(scanned));
    put("rebuild_ms", rebuilt, 1);
    // The same two opens with the files evicted from the page cache: read from the disk.
    EvictFromPageCache(shard);
    double cold = OpenMilliseconds(flusher.get(), shard, &scanned);
    std::printf("recovery  clean, files not cached:     %8.1f ms\n", cold);
    put("recovery_cold_ms", cold, 1);
    RemoveIndexes(shard);
    EvictFromPageCache(shard);
    double rebuilt_cold = OpenMilliseconds(flusher.get(), shard, &scanned);
    std::printf("recovery  every index lost, not cached: %7.1f ms\n", rebuilt_cold);
    put("rebuild_cold_ms", rebuilt_cold, 1);
  }
  Check(ShardLog::Destroy(PosixEnv::Default(), shard), "destroy");
  if (config.own_dir) std::filesystem::remove_all(config.dir);

  std::string line = "bench=log_bench";
  for (const auto& [key, value] : summary) line += " " + key + "=" + value;
  std::printf("%s\n", line.c_str());
  return 0;
}

}  // namespace
}  // namespace sluice::storage

int main(int argc, char** argv) { return sluice::storage::Run(argc, argv); }
