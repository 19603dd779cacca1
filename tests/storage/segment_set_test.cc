#include "storage/segment_set.h"

#include <gtest/gtest.h>

namespace sluice::storage {
namespace {

std::vector<std::shared_ptr<Segment>> Segments(std::initializer_list<uint64_t> bases) {
  std::vector<std::shared_ptr<Segment>> segments;
  for (uint64_t base : bases) segments.push_back(std::make_shared<Segment>("/d", base, 0));
  return segments;
}

TEST(SegmentSetTest, FindsTheSegmentHoldingAPosition) {
  SegmentSet set;
  set.Reset(Segments({10, 20, 35}), 50);
  EXPECT_EQ(set.Find(9), nullptr);
  EXPECT_EQ(set.Find(10)->base_position(), 10u);
  EXPECT_EQ(set.Find(19)->base_position(), 10u);
  EXPECT_EQ(set.Find(20)->base_position(), 20u);
  EXPECT_EQ(set.Find(1000)->base_position(), 35u);
  EXPECT_EQ(set.Next(*set.Find(20))->base_position(), 35u);
  EXPECT_EQ(set.Next(*set.Find(35)), nullptr);
  EXPECT_EQ(set.tail_position(), 50u);
}

TEST(SegmentSetTest, RemovingTheOldestMovesTheTrimHorizon) {
  SegmentSet set;
  set.Reset(Segments({10, 20, 35}), 50);
  EXPECT_EQ(set.trim_horizon(), 10u);
  set.RemoveFront();
  EXPECT_EQ(set.trim_horizon(), 20u);
  EXPECT_EQ(set.Find(15), nullptr);
  set.Add(std::make_shared<Segment>("/d", 50, 0));
  set.RemoveBack();
  EXPECT_EQ(set.Back()->base_position(), 35u);
  EXPECT_EQ(set.Snapshot().size(), 2u);
}

}  // namespace
}  // namespace sluice::storage
