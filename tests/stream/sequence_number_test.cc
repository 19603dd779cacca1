#include "stream/sequence_number.h"

#include <gtest/gtest.h>

namespace sluice::stream {
namespace {

TEST(SequenceNumberTest, Has56Digits) {
  for (SequencePosition position : {SequencePosition{0, 0}, SequencePosition{7, 123456},
                                    SequencePosition{UINT32_MAX, UINT64_MAX}}) {
    const std::string text = FormatSequenceNumber(position);
    EXPECT_EQ(text.size(), 56u);
    EXPECT_EQ(text.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_NE(text[0], '0');
  }
}

TEST(SequenceNumberTest, RoundTrips) {
  for (SequencePosition position : {SequencePosition{0, 0}, SequencePosition{3, 42},
                                    SequencePosition{UINT32_MAX, UINT64_MAX}}) {
    EXPECT_EQ(ParseSequenceNumber(FormatSequenceNumber(position)), position);
  }
}

TEST(SequenceNumberTest, IncreaseWithinAShardAndFromParentToChild) {
  // Equal-length decimal strings compare like the numbers they write.
  EXPECT_LT(FormatSequenceNumber({1, 9}), FormatSequenceNumber({1, 10}));
  EXPECT_LT(FormatSequenceNumber({1, UINT64_MAX}), FormatSequenceNumber({2, 0}));
}

TEST(SequenceNumberTest, IncrementMatchesFormattingTheNextPosition) {
  for (SequencePosition position :
       {SequencePosition{0, 0}, SequencePosition{2, 9}, SequencePosition{2, 99999},
        SequencePosition{5, 18446744073709551614ULL}}) {
    std::string text = FormatSequenceNumber(position);
    IncrementSequenceNumber(std::span<char, kSequenceNumberLength>(text));
    EXPECT_EQ(text, FormatSequenceNumber({position.shard_index, position.position + 1}));
  }
}

TEST(SequenceNumberTest, ARunIncrementsConsecutivePositionsAndFormatsAfterAGap) {
  SequenceNumberRun run;
  for (uint64_t position : {7ULL, 8ULL, 9ULL, 10ULL, 20ULL, 21ULL, 3ULL}) {
    EXPECT_EQ(run.Next({4, position}), FormatSequenceNumber({4, position})) << position;
  }
}

TEST(SequenceNumberTest, RefusesNumbersSluiceDidNotIssue) {
  for (std::string_view text : {"0", "49590338271490256608559692538361571095921575989136588898",
                                "4000000000000000000000000000000000000000000000000000000",
                                "400000000000000000000000000000000000000000000000000000000"}) {
    EXPECT_FALSE(ParseSequenceNumber(text)) << text;
  }
}

}  // namespace
}  // namespace sluice::stream
