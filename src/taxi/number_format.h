#pragma once

#include <cstddef>
#include <string_view>

namespace sluice::taxi {

// The longest text FormatShortest writes ("-2.2250738585072014e-308").
inline constexpr size_t kMaxDoubleChars = 24;

// Writes `value` (finite) exactly as std::to_chars(out, out + kMaxDoubleChars, value) does
// (the shortest text that reads back to the same double) and returns the end. Values with
// at most 6 decimals between 0.001 and 10000 in magnitude, like the trip formats'
// coordinates and distances, take a fast path about ten times quicker than the general one.
char* FormatShortest(double value, char* out);

// Reads all of `text` as std::from_chars(first, last, value) does (general format): true
// and the same value when from_chars succeeds and consumes every byte, false otherwise
// (including out of range). Plain decimals of up to 15 digits, like the trip formats'
// numbers, take a fast path that is exact: the digits and the power of ten are both exact
// doubles, so one correctly rounded division gives the correctly rounded value.
bool ParseShortDecimal(std::string_view text, double& value);

}  // namespace sluice::taxi
