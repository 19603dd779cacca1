#include "stream/stream_change.h"

#include <gtest/gtest.h>

namespace sluice::stream {
namespace {

TEST(StreamChangeTest, EveryKindRoundTripsThroughItsText) {
  const StreamChange changes[] = {
      StreamChange::Split(3, kMaxHashKey),
      StreamChange::Merge(4, 5),
      StreamChange::ShardCount(12),
      StreamChange::Mode(StreamMode::kOnDemand),
      StreamChange::Mode(StreamMode::kProvisioned),
      StreamChange::MaxRecordSize(4096),
      StreamChange::StartEncryption("arn:aws:kms:us-east-1:000000000000:alias/with space"),
      StreamChange::StopEncryption(),
  };
  for (const StreamChange& change : changes) {
    const std::string text = EncodeStreamChange(change);
    const std::optional<StreamChange> decoded = DecodeStreamChange(text);
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(EncodeStreamChange(*decoded), text);
    EXPECT_EQ(decoded->kind, change.kind) << text;
  }
  EXPECT_EQ(DecodeStreamChange("split 3 7")->hash_key, 7u);
  EXPECT_EQ(DecodeStreamChange("merge 4 5")->adjacent, 5u);
}

TEST(StreamChangeTest, RefusesTextItDidNotWrite) {
  for (const char* text : {"", "split", "split 3", "split x 5", "merge 1", "shard_count -1",
                           "shard_count 3 4", "mode SOMETIMES", "stop_encryption now", "grow 2"}) {
    EXPECT_FALSE(DecodeStreamChange(text)) << text;
  }
}

}  // namespace
}  // namespace sluice::stream
