#include "storage/sparse_index.h"

#include <gtest/gtest.h>

namespace sluice::storage {
namespace {

SparseIndex ThreeEntries() {
  SparseIndex index;
  index.Append({10, 40, 1000});
  index.Append({20, 4000, 2000});
  index.Append({30, 8000, 2000});
  return index;
}

TEST(SparseIndexTest, FloorFindsTheEntryAtOrBeforeAPosition) {
  SparseIndex index = ThreeEntries();
  EXPECT_FALSE(index.Floor(9).has_value());
  EXPECT_EQ(index.Floor(10)->offset, 40u);
  EXPECT_EQ(index.Floor(19)->offset, 40u);
  EXPECT_EQ(index.Floor(20)->offset, 4000u);
  EXPECT_EQ(index.Floor(1000)->offset, 8000u);
}

TEST(SparseIndexTest, LastBeforeFindsTheEntryBeforeATime) {
  SparseIndex index = ThreeEntries();
  EXPECT_FALSE(index.LastBefore(1000).has_value());
  EXPECT_EQ(index.LastBefore(1001)->position, 10u);
  EXPECT_EQ(index.LastBefore(2000)->position, 10u);
  EXPECT_EQ(index.LastBefore(2001)->position, 30u);
}

TEST(SparseIndexTest, FirstAtOrAfterOffsetFindsTheNextBoundary) {
  SparseIndex index = ThreeEntries();
  EXPECT_EQ(index.FirstAtOrAfterOffset(0)->offset, 40u);
  EXPECT_EQ(index.FirstAtOrAfterOffset(41)->offset, 4000u);
  EXPECT_EQ(index.FirstAtOrAfterOffset(8000)->offset, 8000u);
  EXPECT_FALSE(index.FirstAtOrAfterOffset(8001).has_value());
}

TEST(SparseIndexTest, EmptyIndexFindsNothing) {
  SparseIndex index;
  EXPECT_FALSE(index.Floor(0).has_value());
  EXPECT_FALSE(index.LastBefore(0).has_value());
  EXPECT_FALSE(index.FirstAtOrAfterOffset(0).has_value());
}

}  // namespace
}  // namespace sluice::storage
