#include "storage/posix_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "testutil/page_cache.h"
#include "testutil/temp_dir.h"

namespace sluice::storage {
namespace {

class PosixEnvTest : public ::testing::Test {
 protected:
  Env* env_ = PosixEnv::Default();
  testutil::TempDir temp_;
  std::string Path(const std::string& name) const { return JoinPath(temp_.path(), name); }
};

TEST_F(PosixEnvTest, WritesAndReadsAtOffsets) {
  auto file = env_->OpenWritable(Path("a"), OpenMode::kCreateOrTruncate);
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->WriteAt(0, "hello"));
  ASSERT_TRUE((*file)->WriteAt(10, "world"));
  ASSERT_TRUE((*file)->Sync());
  auto reader = env_->OpenReadable(Path("a"));
  ASSERT_TRUE(reader);
  EXPECT_EQ(*(*reader)->Size(), 15u);
  std::string out(15, 'x');
  ASSERT_EQ(*ReadFully(**reader, 0, out), 15u);
  EXPECT_EQ(out, std::string("hello\0\0\0\0\0world", 15));
  std::string past(4, 'x');
  EXPECT_EQ(*ReadFully(**reader, 13, past), 2u);
}

TEST_F(PosixEnvTest, GatheredWritesLandBackToBackPastTheSystemsPieceLimit) {
  // 3,000 pieces (more than one pwritev takes), some empty, from offset 7.
  std::vector<std::string> owned;
  std::string expected;
  for (int i = 0; i < 3000; ++i) {
    owned.push_back(i % 5 == 0 ? "" : std::to_string(i) + ",");
    expected += owned.back();
  }
  std::vector<std::string_view> pieces(owned.begin(), owned.end());
  auto file = env_->OpenWritable(Path("g"), OpenMode::kCreateOrTruncate);
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->WriteAtGathered(7, pieces));
  auto reader = env_->OpenReadable(Path("g"));
  ASSERT_TRUE(reader);
  std::string out(expected.size() + 7, 'x');
  ASSERT_EQ(*ReadFully(**reader, 0, out), out.size());
  EXPECT_EQ(out, std::string(7, '\0') + expected);
}

TEST_F(PosixEnvTest, DropCacheEmptiesTheCacheOfSyncedBytesWhichStayReadable) {
  if (!testutil::PageCacheCanDrop(temp_.path())) GTEST_SKIP() << "tmpfs keeps every page";
  constexpr uint64_t kBytes = uint64_t{1} << 20;
  std::string data(kBytes, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 23);
  for (const char* name : {"kept", "dropped"}) {
    auto file = env_->OpenWritable(Path(name), OpenMode::kCreateOrTruncate);
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->WriteAt(0, data));
    ASSERT_TRUE((*file)->Sync());
    if (std::string_view(name) == "dropped") (*file)->DropCache(0, kBytes);
  }
  EXPECT_EQ(testutil::CachedPages(Path("kept"), 0, kBytes), kBytes / ::sysconf(_SC_PAGESIZE));
  EXPECT_EQ(testutil::CachedPages(Path("dropped"), 0, kBytes), 0u);
  auto reader = env_->OpenReadable(Path("dropped"));
  ASSERT_TRUE(reader);
  std::string out(kBytes, 'x');
  ASSERT_EQ(*ReadFully(**reader, 0, out), kBytes);
  EXPECT_EQ(out, data);
}

TEST_F(PosixEnvTest, ReadCachedAtReadsOnlyWhatThePageCacheHolds) {
  if (!testutil::PageCacheCanDrop(temp_.path())) GTEST_SKIP() << "tmpfs keeps every page";
  constexpr uint64_t kBytes = uint64_t{1} << 20;
  std::string data(kBytes, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 19);
  auto file = env_->OpenWritable(Path("cold"), OpenMode::kCreateOrTruncate);
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->WriteAt(0, data));
  ASSERT_TRUE((*file)->Sync());
  (*file)->DropCache(0, kBytes);
  auto reader = env_->OpenReadable(Path("cold"));
  ASSERT_TRUE(reader);
  const std::string untouched(kBytes, 'x');
  std::string out = untouched;
  EXPECT_EQ(*(*reader)->ReadCachedAt(0, out), 0u);
  EXPECT_EQ(out, untouched);
  // The miss may have started read-ahead (RWF_NOWAIT does not forbid starting I/O): let
  // it finish, then drop the pages again.
  ASSERT_EQ(*ReadFully(**reader, 0, out), kBytes);
  (*file)->DropCache(0, kBytes);
  out = untouched;
  EXPECT_EQ(*ReadFully(**reader, 0, out, ReadWait::kCachedOnly), 0u);
  EXPECT_EQ(out, untouched);
  ASSERT_EQ(*ReadFully(**reader, 0, out), kBytes);  // may wait: brings the pages in
  std::string again(kBytes, 'x');
  ASSERT_EQ(*ReadFully(**reader, 0, again, ReadWait::kCachedOnly), kBytes);
  EXPECT_EQ(again, data);
}

TEST_F(PosixEnvTest, AllocateReservesAndTruncateShrinks) {
  auto file = env_->OpenWritable(Path("b"), OpenMode::kCreateOrTruncate);
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->Allocate(0, 1 << 20));
  EXPECT_EQ(*(*file)->Size(), uint64_t{1} << 20);
  ASSERT_TRUE((*file)->WriteAt(0, "abc"));
  ASSERT_TRUE((*file)->Truncate(2));
  EXPECT_EQ(*(*file)->Size(), 2u);
}

TEST_F(PosixEnvTest, OpenExistingKeepsContentsAndCreateTruncates) {
  {
    auto file = env_->OpenWritable(Path("c"), OpenMode::kCreateOrTruncate);
    ASSERT_TRUE((*file)->WriteAt(0, "data"));
  }
  EXPECT_EQ(*(*env_->OpenWritable(Path("c"), OpenMode::kOpenExisting))->Size(), 4u);
  EXPECT_EQ(*(*env_->OpenWritable(Path("c"), OpenMode::kCreateOrTruncate))->Size(), 0u);
}

TEST_F(PosixEnvTest, ListsRenamesAndRemoves) {
  ASSERT_TRUE(env_->CreateDirs(Path("x/y")));
  ASSERT_TRUE(env_->OpenWritable(Path("x/y/f1"), OpenMode::kCreateOrTruncate));
  ASSERT_TRUE(env_->RenameFile(Path("x/y/f1"), Path("x/y/f2")));
  auto names = env_->ListDir(Path("x/y"));
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{"f2"});
  ASSERT_TRUE(env_->SyncDir(Path("x/y")));
  ASSERT_TRUE(env_->RemoveFile(Path("x/y/f2")));
  ASSERT_TRUE(env_->RemoveDir(Path("x/y")));
  EXPECT_TRUE(env_->ListDir(Path("x"))->empty());
}

TEST_F(PosixEnvTest, MissingFileIsNotFound) {
  auto reader = env_->OpenReadable(Path("missing"));
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, ErrorCode::kNotFound);
  auto writer = env_->OpenWritable(Path("missing"), OpenMode::kOpenExisting);
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(env_->RemoveFile(Path("missing")).error().code, ErrorCode::kNotFound);
}

TEST_F(PosixEnvTest, MapsErrnoToCodesAndNamesOnlyTheFile) {
  Error full = PosixError("/secret/folder/00000000000000000000.seg", "write", ENOSPC);
  EXPECT_EQ(full.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(full.message.find("/secret"), std::string::npos);
  EXPECT_NE(full.message.find("00000000000000000000.seg"), std::string::npos);
  EXPECT_EQ(PosixError("f", "write", EDQUOT).code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(PosixError("f", "fdatasync", EIO).code, ErrorCode::kUnavailable);
  EXPECT_EQ(PosixError("f", "open", EEXIST).code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(PosixError("f", "open", EACCES).code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace sluice::storage
