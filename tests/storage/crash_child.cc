// The child of the crash test (crash_test.cc): appends to a shard log with the `sync`
// policy from several threads and reports every acknowledged batch on a pipe, until it
// is killed. Usage: storage_crash_child <dir> <seed> <report fd>.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "storage/crash_record.h"
#include "storage/posix_env.h"
#include "storage/shard_log.h"

namespace sluice::storage {
namespace {

constexpr int kWriters = 4;

int Run(const std::string& dir, uint64_t seed, int report_fd) {
  auto flusher = StartCrashFlusher(dir);
  if (!flusher) {
    std::fprintf(stderr, "crash child: %s\n", flusher.error().message.c_str());
    return 3;
  }
  auto log = ShardLog::Open(PosixEnv::Default(), flusher->get(), CrashLogDir(dir), CrashOptions());
  if (!log) {
    std::fprintf(stderr, "crash child: open failed: %s\n", log.error().message.c_str());
    return 4;
  }
  std::vector<std::thread> writers;
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back([&, writer] {
      for (uint64_t counter = 0;; ++counter) {
        uint64_t batch_seed = (seed << 24) | (static_cast<uint64_t>(writer) << 20) | counter;
        uint32_t count = CrashBatchSize(batch_seed);
        std::vector<std::string> keys(count);
        std::vector<std::string> data(count);
        std::vector<RecordInput> inputs(count);
        for (uint32_t i = 0; i < count; ++i) {
          keys[i] = CrashKey(batch_seed, i);
          data[i] = CrashData(batch_seed, i);
          inputs[i] = RecordInput{keys[i], "", data[i]};
        }
        auto result = (*log)->AppendBatch(inputs);
        if (!result) {
          std::fprintf(stderr, "crash child: append failed: %s\n", result.error().message.c_str());
          std::_Exit(5);
        }
        CrashReport report{result->first_position, batch_seed, count, 0};
        if (::write(report_fd, &report, sizeof(report)) != sizeof(report)) std::_Exit(6);
      }
    });
  }
  for (std::thread& writer : writers) writer.join();  // never: the parent kills us
  return 0;
}

}  // namespace
}  // namespace sluice::storage

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: storage_crash_child <dir> <seed> <report fd>\n");
    return 2;
  }
  return sluice::storage::Run(argv[1], std::strtoull(argv[2], nullptr, 10), std::atoi(argv[3]));
}
