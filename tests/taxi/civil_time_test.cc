#include "taxi/civil_time.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::taxi {
namespace {

TEST(CivilTimeTest, ConvertsKnownInstants) {
  EXPECT_EQ(UnixSecondsFromCivil({1970, 1, 1, 0, 0, 0}), 0);
  EXPECT_EQ(UnixSecondsFromCivil({2016, 1, 1, 0, 0, 17}), 1451606417);
  EXPECT_EQ(UnixSecondsFromCivil({2016, 2, 29, 12, 0, 0}), 1456747200);
  EXPECT_EQ(UnixSecondsFromCivil({9999, 12, 31, 23, 59, 59}), 253402300799);
}

TEST(CivilTimeTest, RoundTripsEveryDayAcrossCenturies) {
  for (int64_t day = 0; day < 200 * 366; day += 1) {
    const int64_t unix_s = day * 86400 + (day * 7919) % 86400;
    const CivilTime time = CivilFromUnixSeconds(unix_s);
    ASSERT_TRUE(IsValidCivilDate(time.year, time.month, time.day)) << unix_s;
    ASSERT_EQ(UnixSecondsFromCivil(time), unix_s);
  }
}

TEST(CivilTimeTest, KnowsLeapYears) {
  EXPECT_TRUE(IsValidCivilDate(2016, 2, 29));
  EXPECT_TRUE(IsValidCivilDate(2000, 2, 29));
  EXPECT_FALSE(IsValidCivilDate(1900, 2, 29));
  EXPECT_FALSE(IsValidCivilDate(2017, 2, 29));
  EXPECT_FALSE(IsValidCivilDate(2016, 4, 31));
  EXPECT_FALSE(IsValidCivilDate(2016, 13, 1));
  EXPECT_FALSE(IsValidCivilDate(2016, 1, 0));
}

TEST(CivilTimeTest, ParsesOnlyTheCsvForm) {
  int64_t unix_s = -1;
  ASSERT_TRUE(ParseCsvDateTime("2016-01-01 00:00:17", unix_s));
  EXPECT_EQ(unix_s, 1451606417);
  for (const char* bad :
       {"2016-01-01T00:00:17", "2016-01-01 00:00:17Z", "2016-1-01 00:00:17", "2016-02-30 00:00:00",
        "2016-01-01 24:00:00", "2016-01-01 23:60:00", "2016-01-01 23:59:60", "1969-12-31 23:59:59",
        "2016-01-01 00:00:1x", "", "2016/01/01 00:00:17", "+016-01-01 00:00:17"}) {
    EXPECT_FALSE(ParseCsvDateTime(bad, unix_s)) << bad;
  }
}

TEST(CivilTimeTest, FormatsWithTheSeparatorGiven) {
  char text[kDateTimeChars];
  FormatDateTime(1451606417, 'T', text);
  EXPECT_EQ(std::string(text, sizeof(text)), "2016-01-01T00:00:17");
  FormatDateTime(253402300799, ' ', text);
  EXPECT_EQ(std::string(text, sizeof(text)), "9999-12-31 23:59:59");
}

}  // namespace
}  // namespace sluice::taxi
