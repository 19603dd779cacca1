#include "taxi/civil_time.h"

namespace sluice::taxi {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;  // [0, 399]
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// Two ASCII digits at `text`, or -1.
int TwoDigits(const char* text) {
  const unsigned tens = static_cast<unsigned char>(text[0]) - '0';
  const unsigned ones = static_cast<unsigned char>(text[1]) - '0';
  if (tens > 9 || ones > 9) return -1;
  return static_cast<int>(tens * 10 + ones);
}

void WriteTwoDigits(int value, char* out) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

bool IsValidCivilDate(int year, int month, int day) {
  static constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

int64_t UnixSecondsFromCivil(const CivilTime& time) {
  return DaysFromCivil(time.year, time.month, time.day) * kSecondsPerDay + time.hour * 3600 +
         time.minute * 60 + time.second;
}

CivilTime CivilFromUnixSeconds(int64_t unix_s) {
  int64_t days = unix_s / kSecondsPerDay;
  int64_t seconds = unix_s % kSecondsPerDay;
  if (seconds < 0) {
    seconds += kSecondsPerDay;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_index = (5 * day_of_year + 2) / 153;  // March = 0
  CivilTime time;
  time.day = static_cast<int>(day_of_year - (153 * month_index + 2) / 5 + 1);
  time.month = static_cast<int>(month_index < 10 ? month_index + 3 : month_index - 9);
  time.year = static_cast<int>(year_of_era + era * 400 + (time.month <= 2 ? 1 : 0));
  time.hour = static_cast<int>(seconds / 3600);
  time.minute = static_cast<int>(seconds / 60 % 60);
  time.second = static_cast<int>(seconds % 60);
  return time;
}

bool ParseCsvDateTime(std::string_view text, int64_t& unix_s) {
  if (text.size() != kDateTimeChars) return false;
  const char* p = text.data();
  if (p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':' || p[16] != ':') return false;
  const int century = TwoDigits(p);
  const int year_in_century = TwoDigits(p + 2);
  CivilTime time;
  time.month = TwoDigits(p + 5);
  time.day = TwoDigits(p + 8);
  time.hour = TwoDigits(p + 11);
  time.minute = TwoDigits(p + 14);
  time.second = TwoDigits(p + 17);
  if (century < 0 || year_in_century < 0) return false;
  time.year = century * 100 + year_in_century;
  if (time.year < 1970 || !IsValidCivilDate(time.year, time.month, time.day)) return false;
  if (time.hour < 0 || time.hour > 23 || time.minute < 0 || time.minute > 59 || time.second < 0 ||
      time.second > 59) {
    return false;
  }
  unix_s = UnixSecondsFromCivil(time);
  return true;
}

void FormatDateTime(int64_t unix_s, char separator, char* out) {
  const CivilTime time = CivilFromUnixSeconds(unix_s);
  WriteTwoDigits(time.year / 100, out);
  WriteTwoDigits(time.year % 100, out + 2);
  out[4] = '-';
  WriteTwoDigits(time.month, out + 5);
  out[7] = '-';
  WriteTwoDigits(time.day, out + 8);
  out[10] = separator;
  WriteTwoDigits(time.hour, out + 11);
  out[13] = ':';
  WriteTwoDigits(time.minute, out + 14);
  out[16] = ':';
  WriteTwoDigits(time.second, out + 17);
}

}  // namespace sluice::taxi
