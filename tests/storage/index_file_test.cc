#include "storage/index_file.h"

#include <gtest/gtest.h>

#include "testutil/mem_env.h"

namespace sluice::storage {
namespace {

class IndexFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/d")); }

  testutil::MemEnv env_;
  const std::string path_ = "/d/00000000000000000100.idx";
  const std::vector<IndexEntry> entries_ = {{100, 40, 5}, {150, 5000, 6}, {190, 9000, 9}};
};

TEST_F(IndexFileTest, LoadsWhatWasAppended) {
  auto file = IndexFile::Create(&env_, path_, 100);
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->Append(std::span(entries_).first(2)));
  ASSERT_TRUE((*file)->Append(std::span(entries_).subspan(2)));
  ASSERT_TRUE((*file)->AppendSeal({200, 12000, 10}));
  auto loaded = IndexFile::Load(&env_, path_, 100);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->entries, entries_);
  ASSERT_TRUE(loaded->seal.has_value());
  EXPECT_EQ(*loaded->seal, (IndexEntry{200, 12000, 10}));
  EXPECT_EQ(loaded->valid_bytes, kIndexHeaderBytes + 4 * kIndexEntryBytes);
}

TEST_F(IndexFileTest, StopsAtATornEntry) {
  ASSERT_TRUE(IndexFile::Rewrite(&env_, path_, 100, entries_, std::nullopt));
  std::string bytes = *env_.Contents(path_);
  ASSERT_TRUE(env_.SetContents(path_, bytes.substr(0, bytes.size() - 5)));
  auto loaded = IndexFile::Load(&env_, path_, 100);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->entries.size(), 2u);
  EXPECT_EQ(loaded->valid_bytes, kIndexHeaderBytes + 2 * kIndexEntryBytes);
}

TEST_F(IndexFileTest, StopsAtACorruptEntry) {
  ASSERT_TRUE(IndexFile::Rewrite(&env_, path_, 100, entries_, std::nullopt));
  std::string bytes = *env_.Contents(path_);
  bytes[kIndexHeaderBytes + kIndexEntryBytes + 3] ^= 0x40;
  ASSERT_TRUE(env_.SetContents(path_, bytes));
  auto loaded = IndexFile::Load(&env_, path_, 100);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->entries.size(), 1u);
}

TEST_F(IndexFileTest, IgnoresAnIndexOfAnotherSegment) {
  ASSERT_TRUE(IndexFile::Rewrite(&env_, path_, 100, entries_, std::nullopt));
  auto loaded = IndexFile::Load(&env_, path_, 101);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->entries.empty());
  EXPECT_EQ(loaded->valid_bytes, 0u);
}

TEST_F(IndexFileTest, MissingFileIsNotFound) {
  auto loaded = IndexFile::Load(&env_, path_, 100);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
}

TEST_F(IndexFileTest, OpenForAppendDropsBytesPastTheValidPrefix) {
  ASSERT_TRUE(IndexFile::Rewrite(&env_, path_, 100, entries_, std::nullopt));
  auto file = IndexFile::OpenForAppend(&env_, path_, kIndexHeaderBytes + kIndexEntryBytes);
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->Append(std::vector<IndexEntry>{{120, 2000, 7}}));
  auto loaded = IndexFile::Load(&env_, path_, 100);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->entries, (std::vector<IndexEntry>{{100, 40, 5}, {120, 2000, 7}}));
}

}  // namespace
}  // namespace sluice::storage
