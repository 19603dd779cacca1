#include "testutil/fault_env.h"

#include <gtest/gtest.h>

#include "testutil/mem_env.h"

namespace sluice::testutil {
namespace {

using storage::OpenMode;

// The fault-injecting file system the storage tests rely on.
class FaultEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/d")); }

  MemEnv base_;
  FaultEnv env_{&base_};
};

TEST_F(FaultEnvTest, PowerLossKeepsSyncedWritesAndMayTearTheRest) {
  bool saw_loss = false;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::string path = "/d/f" + std::to_string(seed);
    auto file = env_.OpenWritable(path, OpenMode::kCreateOrTruncate);
    ASSERT_TRUE((*file)->WriteAt(0, std::string(100, 'a')));
    ASSERT_TRUE((*file)->Sync());
    ASSERT_TRUE((*file)->WriteAt(100, std::string(100, 'b')));
    env_.SimulatePowerLoss(seed);
    std::string contents = *base_.Contents(path);
    EXPECT_EQ(contents.substr(0, 100), std::string(100, 'a'));
    std::string tail = contents.substr(100);
    size_t kept = tail.find('\0');
    if (kept == std::string::npos) kept = tail.size();
    EXPECT_EQ(tail.substr(0, kept), std::string(kept, 'b'));
    EXPECT_EQ(tail.substr(kept), std::string(tail.size() - kept, '\0'));
    saw_loss = saw_loss || kept < 100;
  }
  EXPECT_TRUE(saw_loss);
}

TEST_F(FaultEnvTest, InjectsFailedSyncsAndAFullDisk) {
  auto file = env_.OpenWritable("/d/f", OpenMode::kCreateOrTruncate);
  env_.FailSyncs(1);
  EXPECT_EQ((*file)->Sync().error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE((*file)->Sync());
  env_.SetSpaceLimit(1000);
  EXPECT_TRUE((*file)->WriteAt(0, std::string(900, 'x')));
  EXPECT_EQ((*file)->WriteAt(900, std::string(200, 'x')).error().code,
            ErrorCode::kResourceExhausted);
  EXPECT_EQ((*file)->Allocate(0, 2000).error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(*(*file)->Size(), 900u);
}

TEST_F(FaultEnvTest, ShortReadsStillReadFully) {
  auto file = env_.OpenWritable("/d/f", OpenMode::kCreateOrTruncate);
  ASSERT_TRUE((*file)->WriteAt(0, "0123456789abcdef"));
  env_.SetShortReads(true);
  auto reader = env_.OpenReadable("/d/f");
  std::string out(16, ' ');
  EXPECT_LT(*(*reader)->ReadAt(0, out), 16u);
  EXPECT_EQ(*storage::ReadFully(**reader, 0, out), 16u);
  EXPECT_EQ(out, "0123456789abcdef");
}

TEST_F(FaultEnvTest, FrozenEnvChangesNothing) {
  auto file = env_.OpenWritable("/d/f", OpenMode::kCreateOrTruncate);
  env_.Freeze();
  EXPECT_FALSE((*file)->WriteAt(0, "x"));
  EXPECT_FALSE((*file)->Sync());
  EXPECT_FALSE(env_.RemoveFile("/d/f"));
  EXPECT_EQ(*(*file)->Size(), 0u);
}

}  // namespace
}  // namespace sluice::testutil
