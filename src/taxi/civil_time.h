#pragma once

#include <cstdint>
#include <string_view>

// UTC calendar arithmetic for the trip formats: no time zones, no leap seconds, proleptic
// Gregorian calendar (days_from_civil / civil_from_days after H. Hinnant's algorithms).
namespace sluice::taxi {

struct CivilTime {
  int year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// True for a real calendar day (month 1-12, day within the month, leap years counted).
bool IsValidCivilDate(int year, int month, int day);

// Seconds since 1970-01-01T00:00:00Z. Does not validate; negative before 1970.
int64_t UnixSecondsFromCivil(const CivilTime& time);

CivilTime CivilFromUnixSeconds(int64_t unix_s);

// Parses exactly "YYYY-MM-DD HH:MM:SS" (years 1970-9999, a real date, 00:00:00-23:59:59).
// Returns false for anything else.
bool ParseCsvDateTime(std::string_view text, int64_t& unix_s);

inline constexpr size_t kDateTimeChars = 19;

// Writes "YYYY-MM-DD<separator>HH:MM:SS" (kDateTimeChars bytes, no terminator) to `out`.
// `unix_s` must lie in years 1970-9999.
void FormatDateTime(int64_t unix_s, char separator, char* out);

}  // namespace sluice::taxi
