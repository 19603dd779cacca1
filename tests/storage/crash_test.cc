// Kills a child process that appends with the `sync` policy at random moments, then
// checks the log: every acknowledged record present, intact and in order; nothing
// corrupt. The child reports acknowledged batches on a pipe (crash_child.cc).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>

#include "storage/crash_record.h"
#include "storage/posix_env.h"
#include "storage/shard_log.h"
#include "testutil/temp_dir.h"

namespace sluice::storage {
namespace {

constexpr int kMinRounds = 50;
constexpr int kMaxRounds = 80;
constexpr auto kTimeBudget = std::chrono::seconds(45);

struct Expected {
  uint64_t batch_seed;
  uint32_t index;
};

class CrashTest : public ::testing::Test {
 protected:
  // Starts the child; returns its pid and the read end of its report pipe.
  std::pair<pid_t, int> StartChild(uint64_t seed) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      std::string seed_text = std::to_string(seed);
      std::string fd_text = std::to_string(fds[1]);
      ::execl(SLUICE_CRASH_CHILD, SLUICE_CRASH_CHILD, dir_.path().c_str(), seed_text.c_str(),
              fd_text.c_str(), static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    ::close(fds[1]);
    return {pid, fds[0]};
  }

  // Reads reports until `until` (or, with no deadline, until the pipe closes).
  void Drain(int fd, std::chrono::steady_clock::time_point until, bool to_end) {
    while (true) {
      int timeout_ms = -1;
      if (!to_end) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        timeout_ms = static_cast<int>(left.count());
      }
      pollfd poll_fd{fd, POLLIN, 0};
      int ready = ::poll(&poll_fd, 1, timeout_ms);
      if (ready <= 0) {
        if (to_end) return;
        continue;
      }
      ssize_t got = ::read(fd, buffer_ + buffered_, sizeof(buffer_) - buffered_);
      if (got <= 0) return;
      buffered_ += static_cast<size_t>(got);
      size_t whole = buffered_ / sizeof(CrashReport) * sizeof(CrashReport);
      for (size_t at = 0; at < whole; at += sizeof(CrashReport)) {
        CrashReport report;
        std::memcpy(&report, buffer_ + at, sizeof(report));
        for (uint32_t i = 0; i < report.count; ++i) {
          expected_[report.first_position + i] = Expected{report.batch_seed, i};
        }
      }
      std::memmove(buffer_, buffer_ + whole, buffered_ - whole);
      buffered_ -= whole;
    }
  }

  // Opens the log as the next child would and checks everything in it.
  void Verify(int round) {
    auto flusher = StartCrashFlusher(dir_.path());
    ASSERT_TRUE(flusher) << flusher.error().message;
    auto log = ShardLog::Open(PosixEnv::Default(), flusher->get(), CrashLogDir(dir_.path()),
                              CrashOptions());
    ASSERT_TRUE(log) << log.error().message;
    EXPECT_TRUE((*log)->damage().empty());
    uint64_t acknowledged_end = expected_.empty() ? 0 : expected_.rbegin()->first + 1;
    ASSERT_GE((*log)->tail_position(), acknowledged_end) << "round " << round;
    ReadBatch batch;
    uint64_t position = 0;
    size_t acknowledged_seen = 0;
    while (true) {
      Status status = (*log)->Read(position, ReadLimits{10000, 8 << 20}, &batch);
      ASSERT_TRUE(status) << "round " << round << ": " << status.error().message;
      if (batch.empty()) break;
      for (const Record& record : batch.records()) {
        ASSERT_EQ(record.position, position);
        // Every stored record is intact, acknowledged or not: its key names its contents.
        std::string key(record.partition_key);
        size_t colon = key.find(':');
        ASSERT_NE(colon, std::string::npos) << "round " << round << " position " << position;
        uint64_t batch_seed = std::stoull(key.substr(0, colon));
        uint32_t index = static_cast<uint32_t>(std::stoul(key.substr(colon + 1)));
        ASSERT_EQ(record.data, CrashData(batch_seed, index)) << "position " << position;
        auto it = expected_.find(position);
        if (it != expected_.end()) {
          ASSERT_EQ(batch_seed, it->second.batch_seed)
              << "round " << round << " position " << position;
          ASSERT_EQ(index, it->second.index);
          ++acknowledged_seen;
        }
        ++position;
      }
    }
    EXPECT_EQ(acknowledged_seen, expected_.size()) << "round " << round;
    ASSERT_TRUE((*log)->Close());
  }

  testutil::TempDir dir_;
  std::map<uint64_t, Expected> expected_;  // acknowledged position -> contents
  char buffer_[1 << 16];
  size_t buffered_ = 0;
};

TEST_F(CrashTest, KillNineNeverLosesAnAcknowledgedRecord) {
  uint64_t seed = 20250101;
  if (const char* text = std::getenv("SLUICE_CRASH_SEED")) seed = std::strtoull(text, nullptr, 10);
  std::printf("crash test seed %llu (set SLUICE_CRASH_SEED to repeat)\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 random(seed);
  auto start = std::chrono::steady_clock::now();
  int rounds = 0;
  while (rounds < kMaxRounds &&
         (rounds < kMinRounds || std::chrono::steady_clock::now() - start < kTimeBudget)) {
    auto [pid, fd] = StartChild(random() % 1'000'000);
    buffered_ = 0;
    auto kill_at = std::chrono::steady_clock::now() + std::chrono::microseconds(random() % 80'000);
    Drain(fd, kill_at, false);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
    Drain(fd, {}, true);
    ::close(fd);
    ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
        << "the child stopped by itself (status " << wait_status << ")";
    Verify(rounds);
    if (HasFatalFailure()) return;
    ++rounds;
  }
  EXPECT_GE(rounds, kMinRounds);
  std::printf("crash test: %d rounds, %zu acknowledged records checked\n", rounds,
              expected_.size());
}

}  // namespace
}  // namespace sluice::storage
