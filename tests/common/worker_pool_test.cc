#include "common/worker_pool.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace sluice {
namespace {

std::string ThisThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

TEST(WorkerPoolTest, RunsTasksOnItsOwnNamedThreadsSideBySide) {
  WorkerPool pool(2, "test-pool");
  // Each of two tasks waits for the other to start: only two threads can finish them.
  std::promise<void> first_started, second_started;
  std::promise<std::pair<std::thread::id, std::string>> first_done, second_done;
  pool.Post([&] {
    first_started.set_value();
    second_started.get_future().wait();
    first_done.set_value({std::this_thread::get_id(), ThisThreadName()});
  });
  pool.Post([&] {
    second_started.set_value();
    first_started.get_future().wait();
    second_done.set_value({std::this_thread::get_id(), ThisThreadName()});
  });
  auto first = first_done.get_future().get();
  auto second = second_done.get_future().get();
  EXPECT_NE(first.first, second.first);
  EXPECT_NE(first.first, std::this_thread::get_id());
  EXPECT_EQ(first.second, "test-pool");
  EXPECT_EQ(second.second, "test-pool");
}

TEST(WorkerPoolTest, TheDestructorRunsEveryTaskPostedBeforeIt) {
  std::atomic<int> ran{0};
  std::promise<void> release;
  // Lets the first task go once the destructor (most likely) waits, the others queued.
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release.set_value();
  });
  {
    WorkerPool pool(1, "test-pool");
    std::shared_future<void> released = release.get_future().share();
    pool.Post([released] { released.wait(); });  // holds the only thread
    for (int i = 0; i < 100; ++i) pool.Post([&ran] { ran.fetch_add(1); });
  }
  releaser.join();
  EXPECT_EQ(ran.load(), 100);
}

TEST(WorkerPoolTest, ATaskMayPostAnother) {
  std::promise<int> done;
  WorkerPool pool(1, "test-pool");
  pool.Post([&] { pool.Post([&] { done.set_value(7); }); });
  EXPECT_EQ(done.get_future().get(), 7);
}

}  // namespace
}  // namespace sluice
