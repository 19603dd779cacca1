#include "taxi/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace sluice::taxi {

// Why the fast path writes what std::to_chars writes: when the decimal D = n / 10^6 reads
// back to `value` (the check below), no decimal with fewer digits after the point can also
// read back to it, because two such decimals differ by at least 10^-6 and doubles below
// 10^4 are less than 2^-38 apart. D without its trailing zeros is then the unique shortest
// representation. Between 0.001 and 10^4 its fixed form is never longer than the
// scientific one, and std::to_chars prefers fixed on a tie.
char* FormatShortest(double value, char* out) {
  const double magnitude = std::fabs(value);
  if (magnitude >= 0.001 && magnitude < 10000) {
    const double scaled = std::round(magnitude * 1e6);
    if (scaled / 1e6 == magnitude) {
      const auto millionths = static_cast<uint64_t>(scaled);
      if (value < 0) *out++ = '-';
      out = std::to_chars(out, out + kMaxDoubleChars, millionths / 1000000).ptr;
      uint64_t fraction = millionths % 1000000;
      if (fraction == 0) return out;
      int decimals = 6;
      while (fraction % 10 == 0) {
        fraction /= 10;
        --decimals;
      }
      *out++ = '.';
      for (int i = decimals - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + fraction % 10);
        fraction /= 10;
      }
      return out + decimals;
    }
  }
  return std::to_chars(out, out + kMaxDoubleChars, value).ptr;
}

bool ParseShortDecimal(std::string_view text, double& value) {
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  constexpr size_t kMaxDigits = 15;  // below 2^53: every such integer is an exact double
  size_t i = text.empty() || text[0] != '-' ? 0 : 1;
  const bool negative = i == 1;
  uint64_t digits = 0;
  size_t digit_count = 0;
  size_t decimals = 0;
  size_t point = text.size();
  for (; i < text.size(); ++i) {
    const unsigned d = static_cast<unsigned char>(text[i]) - '0';
    if (d <= 9) {
      digits = digits * 10 + d;
      ++digit_count;
      if (point != text.size()) ++decimals;
    } else if (text[i] == '.' && point == text.size()) {
      point = i;
    } else {
      digit_count = 0;  // anything else: leave it to from_chars
      break;
    }
  }
  const bool plain = digit_count > 0 && digit_count <= kMaxDigits && point != (negative ? 1 : 0) &&
                     (point == text.size() || decimals > 0);
  if (plain) {
    value = static_cast<double>(digits) / kPowersOfTen[decimals];
    if (negative) value = -value;
    return true;
  }
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && stop == end;
}

}  // namespace sluice::taxi
