#include "hash_key.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

TEST(HashKeyTest, Md5OfPartitionKeyAsBigEndian) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
  const HashKey expected = (HashKey{0x0cc175b9c0f1b6a8ULL} << 64) | HashKey{0x31c399e269772661ULL};
  EXPECT_EQ(HashKeyOf("a"), expected);
  EXPECT_EQ(FormatHashKey(HashKeyOf("a")), "16955237001963240173058271559858726497");
}

TEST(HashKeyTest, FormatAndParseRoundTrip) {
  for (HashKey key : {HashKey{0}, HashKey{9}, HashKey{10'000'000'000'000'000'000ULL}, kMaxHashKey,
                      kMaxHashKey / 3}) {
    auto parsed = ParseHashKey(FormatHashKey(key));
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(*parsed == key);
  }
  EXPECT_EQ(FormatHashKey(kMaxHashKey), "340282366920938463463374607431768211455");
}

TEST(HashKeyTest, ParseRefusesOutOfRangeAndJunk) {
  EXPECT_FALSE(ParseHashKey(""));
  EXPECT_FALSE(ParseHashKey("01"));
  EXPECT_FALSE(ParseHashKey("-1"));
  EXPECT_FALSE(ParseHashKey("12a"));
  EXPECT_FALSE(ParseHashKey("340282366920938463463374607431768211456"));
}

}  // namespace
}  // namespace sluice::client
