#include "taxi/number_format.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>

namespace sluice::taxi {
namespace {

std::string Shortest(double value) {
  char text[kMaxDoubleChars];
  return std::string(text, FormatShortest(value, text));
}

std::string Reference(double value) {
  char text[kMaxDoubleChars];
  return std::string(text, std::to_chars(text, text + sizeof(text), value).ptr);
}

TEST(NumberFormatTest, WritesDecimalsShortest) {
  EXPECT_EQ(Shortest(-73.982155), "-73.982155");
  EXPECT_EQ(Shortest(40.7), "40.7");
  EXPECT_EQ(Shortest(1.5), "1.5");
  EXPECT_EQ(Shortest(1200), "1200");
  EXPECT_EQ(Shortest(0.001), "0.001");
  EXPECT_EQ(Shortest(0.0001), "1e-04");
  EXPECT_EQ(Shortest(100000), "1e+05");
  EXPECT_EQ(Shortest(0), "0");
  EXPECT_EQ(Shortest(-0.0), "-0");
  EXPECT_EQ(Shortest(-73.982154846191406), "-73.9821548461914");
}

TEST(NumberFormatTest, MatchesToCharsAtTheEdgesOfTheFastPath) {
  for (double value : {0.001,
                       0.0009999999999999998,
                       0.0010000000000000002,
                       0.000999,
                       0.001001,
                       9999.999999,
                       9999.9999999,
                       10000.0,
                       9999.0,
                       1e3,
                       1e4,
                       0.1,
                       0.2,
                       0.3,
                       1.0 / 3,
                       2.0 / 3,
                       0.123456,
                       0.1234567,
                       123.000001,
                       4503.599627370496,
                       std::numeric_limits<double>::min(),
                       std::numeric_limits<double>::max(),
                       std::numeric_limits<double>::denorm_min(),
                       1e-7,
                       5e-324,
                       1e22,
                       123456789.0}) {
    EXPECT_EQ(Shortest(value), Reference(value)) << Reference(value);
    EXPECT_EQ(Shortest(-value), Reference(-value)) << Reference(-value);
  }
}

TEST(NumberFormatTest, MatchesToCharsOnDecimalsOfEveryLength) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200000; ++i) {
    const int decimals = static_cast<int>(rng() % 9);
    const auto units = static_cast<int64_t>(rng() % 20000000000ULL) - 10000000000LL;
    const double value = static_cast<double>(units) / std::pow(10.0, decimals + 2);
    ASSERT_EQ(Shortest(value), Reference(value)) << Reference(value);
  }
}

TEST(NumberFormatTest, MatchesToCharsOnArbitraryDoubles) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 200000; ++i) {
    double value = 0;
    do {
      const uint64_t bits = rng();
      static_assert(sizeof(bits) == sizeof(value));
      std::memcpy(&value, &bits, sizeof(value));
    } while (!std::isfinite(value));
    ASSERT_EQ(Shortest(value), Reference(value)) << Reference(value);
    const double nearby = std::ldexp(static_cast<double>(rng() >> 11), -40);  // 0 to 8192
    ASSERT_EQ(Shortest(nearby), Reference(nearby)) << Reference(nearby);
  }
}

// from_chars's verdict and value, for comparison.
bool ReferenceParse(std::string_view text, double& value) {
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && stop == end;
}

void ExpectSameParse(std::string_view text) {
  double fast = 0;
  double reference = 0;
  const bool fast_ok = ParseShortDecimal(text, fast);
  ASSERT_EQ(fast_ok, ReferenceParse(text, reference)) << "'" << text << "'";
  if (fast_ok) {
    ASSERT_EQ(std::signbit(fast), std::signbit(reference)) << text;
    if (!std::isnan(fast)) {
      ASSERT_EQ(fast, reference) << text;
    }
  }
}

TEST(NumberFormatTest, ParsesLikeFromChars) {
  for (const char* text : {"0",
                           "-0",
                           "1",
                           "-73.982155",
                           "40.767937",
                           "0.1",
                           "0.3",
                           "123456789012345",
                           "1234567890123456",
                           "12345678901234567890",
                           "0.000000000000001",
                           "1.5e3",
                           "1e400",
                           "1e-400",
                           "inf",
                           "-inf",
                           "nan",
                           "infinity",
                           "",
                           "-",
                           ".",
                           "-.",
                           "5.",
                           ".5",
                           "-.5",
                           "-5.",
                           "1.2.3",
                           "1,5",
                           " 1",
                           "1 ",
                           "+1",
                           "--1",
                           "0x10",
                           "1e",
                           "1e+",
                           "007.50",
                           "9007199254740993",
                           "0.30000000000000004",
                           "4503599627370497.5",
                           "1.7976931348623157e308",
                           "abc",
                           "1.2km"}) {
    ExpectSameParse(text);
  }
}

TEST(NumberFormatTest, ParsesRandomDecimalsLikeFromChars) {
  std::mt19937_64 rng(3);
  const std::string alphabet = "0123456789.-e";
  for (int i = 0; i < 300000; ++i) {
    std::string text;
    if (i % 2 == 0) {  // a well-formed decimal of up to 17 digits
      if (rng() % 2) text += '-';
      const int whole = 1 + static_cast<int>(rng() % 8);
      const int decimals = static_cast<int>(rng() % 10);
      for (int d = 0; d < whole; ++d) text += static_cast<char>('0' + rng() % 10);
      if (decimals > 0) text += '.';
      for (int d = 0; d < decimals; ++d) text += static_cast<char>('0' + rng() % 10);
    } else {  // anything made of number characters
      const int length = static_cast<int>(rng() % 8);
      for (int c = 0; c < length; ++c) text += alphabet[rng() % alphabet.size()];
    }
    ExpectSameParse(text);
  }
}

}  // namespace
}  // namespace sluice::taxi
