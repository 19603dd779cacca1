#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice {

// A fixed number of threads running posted tasks, oldest first: where work that may
// block (a read that misses the page cache) goes so that the thread posting it does not.
//
// Thread-safety: Post from any thread, tasks included. The destructor runs every task
// posted before it, then joins the threads; a task must not destroy its pool.
class WorkerPool {
 public:
  // Starts `threads` threads (at least one), named `name` (thread_name.h).
  WorkerPool(size_t threads, const std::string& name);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Post(std::function<void()> task);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace sluice
