#include "aggregation/key_table.h"

#include <gtest/gtest.h>

#include <string>

#include "aggregation/protobuf_wire.h"

namespace sluice::client {
namespace {

TEST(KeyTableTest, GivesEachDistinctKeyTheNextIndexInOrderOfFirstUse) {
  KeyTable table(1);
  EXPECT_EQ(table.Find("b"), 0u);  // absent: size()
  EXPECT_EQ(table.Intern("b"), 0u);
  EXPECT_EQ(table.Intern("a"), 1u);
  EXPECT_EQ(table.Intern("b"), 0u);
  EXPECT_EQ(table.Find("a"), 1u);
  EXPECT_EQ(table.Find("c"), 2u);
  EXPECT_EQ(table.size(), 2u);
  std::string expected;
  AppendLengthDelimitedField(1, "b", expected);
  AppendLengthDelimitedField(1, "a", expected);
  EXPECT_EQ(table.fields(), expected);
}

TEST(KeyTableTest, KeepsEveryKeyThroughGrowthAndStartsOverAfterClear) {
  KeyTable table(2);
  // Keys of every length up to 40 bytes, including ones that differ only past byte 8.
  auto key = [](int i) {
    return std::string(static_cast<size_t>(i % 40), 'k') + std::to_string(i);
  };
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(table.Intern(key(i)), static_cast<uint64_t>(i));
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(table.Find(key(i)), static_cast<uint64_t>(i));
  EXPECT_EQ(table.Find(""), 5000u);
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_TRUE(table.fields().empty());
  EXPECT_EQ(table.Find(key(7)), 0u);
  EXPECT_EQ(table.Intern(key(7)), 0u);
  EXPECT_EQ(table.Intern(""), 1u);
  EXPECT_EQ(table.Find(""), 1u);
}

}  // namespace
}  // namespace sluice::client
