#include "server/data_dir_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sluice::server {
namespace {

class DataDirLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice-lock-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Whether another process could take the lock right now.
  bool AnotherProcessCanLock() {
    const pid_t child = ::fork();
    if (child == 0) _exit(DataDirLock::Acquire(dir_) ? 0 : 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  std::filesystem::path dir_;
};

TEST_F(DataDirLockTest, KeepsOtherProcessesOutWhileHeld) {
  auto lock = DataDirLock::Acquire(dir_);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_FALSE(AnotherProcessCanLock());
  lock->reset();
  EXPECT_TRUE(AnotherProcessCanLock());
}

TEST_F(DataDirLockTest, SaysTheFolderIsInUse) {
  auto lock = DataDirLock::Acquire(dir_);
  ASSERT_TRUE(lock);
  const pid_t child = ::fork();
  if (child == 0) {
    auto second = DataDirLock::Acquire(dir_);
    _exit(!second && second.error().code == ErrorCode::kFailedPrecondition &&
                  second.error().message.find("in use") != std::string::npos
              ? 0
              : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace sluice::server
