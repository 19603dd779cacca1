#include "common/hash_key.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace sluice {
namespace {

TEST(HashKeyTest, IsTheBigEndianMd5OfThePartitionKey) {
  // md5("") = d41d8cd98f00b204e9800998ecf8427e
  EXPECT_EQ(FormatHashKey(HashKeyOf("")), "281949768489412648962353822266799178366");
  // md5("a") = 0cc175b9c0f1b6a831c399e269772661
  EXPECT_EQ(FormatHashKey(HashKeyOf("a")), "16955237001963240173058271559858726497");
}

TEST(HashKeyTest, ManyKeysAtOnceHashAsOneAtATime) {
  std::vector<std::string> keys;
  for (int i = 0; i < 37; ++i) keys.push_back("trip-" + std::to_string(i * 7919));
  keys.push_back(std::string(256, 'k'));
  const std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<HashKey> hash_keys(keys.size());
  HashKeysOf(views, hash_keys);
  for (size_t i = 0; i < keys.size(); ++i)
    EXPECT_TRUE(hash_keys[i] == HashKeyOf(keys[i])) << keys[i];
}

TEST(HashKeyTest, FormatsAndParsesTheWholeRange) {
  EXPECT_EQ(FormatHashKey(0), "0");
  EXPECT_EQ(FormatHashKey(kMaxHashKey), "340282366920938463463374607431768211455");
  std::array<char, kHashKeyDigits> digits;
  FormatHashKeyDigits(12345, digits);
  EXPECT_EQ(std::string(digits.data(), digits.size()), std::string(34, '0') + "12345");
  FormatHashKeyDigits(kMaxHashKey, digits);
  EXPECT_EQ(std::string(digits.data(), digits.size()), "340282366920938463463374607431768211455");
  EXPECT_EQ(ParseHashKey("340282366920938463463374607431768211455"), kMaxHashKey);
  EXPECT_EQ(ParseHashKey("0"), HashKey{0});
  EXPECT_EQ(ParseHashKey("12345"), HashKey{12345});
}

TEST(HashKeyTest, RefusesWhatIsNotAHashKey) {
  for (std::string_view text :
       {"", "-1", "01", "1.5", "abc", "340282366920938463463374607431768211456",
        "9999999999999999999999999999999999999999"}) {
    EXPECT_FALSE(ParseHashKey(text)) << text;
  }
}

TEST(HashKeyTest, SplitsTheKeySpaceAsKinesisDoes) {
  auto two = SplitHashKeySpace(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(FormatHashKey(two[0].end), "170141183460469231731687303715884105727");
  EXPECT_EQ(FormatHashKey(two[1].start), "170141183460469231731687303715884105728");
  auto three = SplitHashKeySpace(3);
  EXPECT_EQ(FormatHashKey(three[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(FormatHashKey(three[2].start), "226854911280625642308916404954512140970");
  EXPECT_EQ(three[2].end, kMaxHashKey);
}

TEST(HashKeyTest, SplitRangesAreContiguousAndCoverEverything) {
  for (uint32_t count : {1u, 4u, 7u, 1000u}) {
    auto ranges = SplitHashKeySpace(count);
    EXPECT_EQ(ranges.front().start, HashKey{0});
    EXPECT_EQ(ranges.back().end, kMaxHashKey);
    for (size_t i = 1; i < ranges.size(); ++i) EXPECT_EQ(ranges[i].start, ranges[i - 1].end + 1);
  }
}

}  // namespace
}  // namespace sluice
