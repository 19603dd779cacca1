#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "testutil/fault_env.h"

namespace sluice::storage {

// Holds every matching FaultEnv operation (e.g. fdatasync of segment files) while closed,
// so a test can look at the log while the flusher is stuck inside a sync. Opens and
// detaches itself when destroyed.
class Gate {
 public:
  Gate(testutil::FaultEnv& env, testutil::FaultEnv::Op op, std::string path_suffix = ".seg")
      : env_(env), state_(std::make_shared<State>()) {
    env_.SetHook([state = state_, op, suffix = std::move(path_suffix)](testutil::FaultEnv::Op seen,
                                                                       const std::string& path) {
      if (seen != op || path.size() < suffix.size() ||
          path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return;
      }
      std::unique_lock lock(state->mu);
      ++state->blocked;
      state->cv.notify_all();
      state->cv.wait(lock, [&] { return state->open; });
      --state->blocked;
    });
  }
  ~Gate() {
    Open();
    env_.SetHook(nullptr);
  }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  void Close() {
    std::lock_guard lock(state_->mu);
    state_->open = false;
  }
  void Open() {
    std::lock_guard lock(state_->mu);
    state_->open = true;
    state_->cv.notify_all();
  }
  // Waits (up to a generous deadline) until `count` operations are held; false on timeout.
  bool WaitUntilBlocked(int count = 1) {
    std::unique_lock lock(state_->mu);
    return state_->cv.wait_for(lock, std::chrono::seconds(30),
                               [&] { return state_->blocked >= count; });
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int blocked = 0;
    bool open = true;
  };
  testutil::FaultEnv& env_;
  std::shared_ptr<State> state_;
};

// Polls `condition` until it holds or a generous deadline passes.
template <typename Condition>
bool WaitFor(Condition condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace sluice::storage
