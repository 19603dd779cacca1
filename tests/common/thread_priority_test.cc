#include "common/thread_priority.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

namespace sluice {
namespace {

TEST(ThreadPriorityTest, ABackgroundThreadIsNicedAndTheOthersAreNot) {
  const int before = ThisThreadNice();
  int background = 0;
  bool made = false;
  std::thread([&] {
    made = MakeThisThreadBackground();
    background = ThisThreadNice();
  }).join();
  EXPECT_TRUE(made);
  EXPECT_GE(background, kBackgroundNice);
  EXPECT_EQ(ThisThreadNice(), before);  // the calling thread keeps its own
}

TEST(ThreadPriorityTest, AThreadNicedFurtherAlreadyKeepsItsValue) {
  int nice = 0;
  bool made = false;
  std::thread([&] {
    ASSERT_EQ(setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBackgroundNice + 5), 0);
    made = MakeThisThreadBackground();
    nice = ThisThreadNice();
  }).join();
  EXPECT_TRUE(made);
  EXPECT_EQ(nice, kBackgroundNice + 5);
}

}  // namespace
}  // namespace sluice
