#include "stream/shard_iterator.h"

#include <gtest/gtest.h>

namespace sluice::stream {
namespace {

ShardIteratorCodec::Key KeyOf(uint8_t fill) {
  ShardIteratorCodec::Key key;
  key.fill(fill);
  return key;
}

TEST(ShardIteratorTest, RoundTripsItsState) {
  ShardIteratorCodec codec(KeyOf(1));
  const std::string token = codec.Encode({42, 3, 1'000'000, 5'000});
  EXPECT_LE(token.size(), 512u);
  auto state = codec.Decode(token, 4'999);
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->stream_uid, 42u);
  EXPECT_EQ(state->shard_index, 3u);
  EXPECT_EQ(state->position, 1'000'000u);
  EXPECT_EQ(state->expires_at_ms, 5'000);
}

TEST(ShardIteratorTest, ExpiresWithKinesisWording) {
  ShardIteratorCodec codec(KeyOf(1));
  auto state = codec.Decode(codec.Encode({1, 0, 0, 5'000}), 5'001);
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, ErrorCode::kExpired);
  EXPECT_NE(state.error().message.find("Iterator expired"), std::string::npos);
}

TEST(ShardIteratorTest, RefusesATamperedToken) {
  ShardIteratorCodec codec(KeyOf(1));
  std::string token = codec.Encode({1, 0, 0, 5'000});
  for (size_t i = 0; i + 4 < token.size(); i += 3) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    auto state = codec.Decode(tampered, 0);
    ASSERT_FALSE(state) << i;
    EXPECT_EQ(state.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(ShardIteratorTest, RefusesTokensOfAnotherKey) {
  ShardIteratorCodec mine(KeyOf(1));
  ShardIteratorCodec theirs(KeyOf(2));
  EXPECT_FALSE(mine.Decode(theirs.Encode({1, 0, 0, 5'000}), 0));
}

TEST(ShardIteratorTest, RefusesGarbage) {
  ShardIteratorCodec codec(KeyOf(1));
  for (std::string_view token : {"", "x", "AAAA", "not base64 at all!"}) {
    EXPECT_FALSE(codec.Decode(token, 0)) << token;
  }
}

}  // namespace
}  // namespace sluice::stream
