#include "taxi/trip_csv.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "taxi/civil_time.h"
#include "taxi/number_format.h"
#include "taxi/utf8.h"

namespace sluice::taxi {
namespace {

// Column indexes, in file order.
enum Column : size_t {
  kId,
  kVendorId,
  kPickupDatetime,
  kDropoffDatetime,
  kPassengerCount,
  kPickupLongitude,
  kPickupLatitude,
  kDropoffLongitude,
  kDropoffLatitude,
  kStoreAndFwdFlag,
  kGcDistance,
  kTripDuration,
  kGoogleDistance,
  kGoogleDuration,
};

constexpr int64_t kMinVendorId = 1;
constexpr int64_t kMaxVendorId = 99;
constexpr int64_t kMaxPassengers = 9;
constexpr size_t kShownBytes = 32;
constexpr double kUnbounded = std::numeric_limits<double>::infinity();
constexpr int64_t kNoMaximum = std::numeric_limits<int64_t>::max();

// One field as it stands in the line: the text between the quotes for a quoted field,
// with any doubled quotes still doubled (`escaped` says so).
struct Field {
  std::string_view text;
  bool escaped = false;
};

using Fields = std::array<Field, kTripColumnCount>;

std::string ColumnLabel(size_t column) {
  if (column < kTripColumnCount) return "column '" + std::string(kTripColumnNames[column]) + "'";
  return "column " + std::to_string(column + 1);
}

tl::unexpected<Error> ColumnError(size_t column, std::string_view problem) {
  return Fail(ErrorCode::kInvalidArgument, ColumnLabel(column) + ": " + std::string(problem));
}

// `text` for a message: quoted, cut after kShownBytes, bytes outside printable ASCII as '?'.
std::string Shown(std::string_view text) {
  std::string shown = "\"";
  for (size_t i = 0; i < text.size() && i < kShownBytes; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    shown.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  shown += text.size() > kShownBytes ? "...\"" : "\"";
  return shown;
}

std::string NumberText(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

// The offset of the first ',' or '"' in line[from, line.size()), or line.size(). Fields are
// short: a byte loop beats a memchr call per field.
size_t FindCommaOrQuote(std::string_view line, size_t from) {
  while (from < line.size() && line[from] != ',' && line[from] != '"') ++from;
  return from;
}

// Reads the quoted field starting at line[pos] == '"'; leaves `pos` after its closing quote.
Status ReadQuotedField(std::string_view line, size_t column, size_t& pos, Field& field) {
  const size_t start = pos + 1;
  size_t at = start;
  while (true) {
    const size_t quote = line.find('"', at);
    if (quote == std::string_view::npos) return ColumnError(column, "unterminated quoted field");
    if (quote + 1 < line.size() && line[quote + 1] == '"') {
      field.escaped = true;
      at = quote + 2;
      continue;
    }
    field.text = line.substr(start, quote - start);
    pos = quote + 1;
    break;
  }
  if (pos < line.size() && line[pos] != ',') {
    return ColumnError(column, "characters after the closing quote");
  }
  return Ok();
}

// Splits a record into exactly kTripColumnCount fields (RFC 4180: fields separated by
// commas, optionally enclosed in double quotes, a quote inside written as two).
Status SplitFields(std::string_view line, Fields& fields) {
  size_t column = 0;
  size_t pos = 0;
  while (true) {
    Field field;
    if (pos < line.size() && line[pos] == '"') {
      if (auto ok = ReadQuotedField(line, column, pos, field); !ok) return ok;
    } else {
      const size_t end = FindCommaOrQuote(line, pos);
      if (end < line.size() && line[end] == '"') {
        return ColumnError(column, "quote inside an unquoted field");
      }
      field.text = line.substr(pos, end - pos);
      pos = end;
    }
    if (column < kTripColumnCount) fields[column] = field;
    ++column;
    if (pos >= line.size()) break;
    ++pos;  // the comma
  }
  if (column != kTripColumnCount) {
    return Fail(ErrorCode::kInvalidArgument, "wrong column count: expected " +
                                                 std::to_string(kTripColumnCount) + ", found " +
                                                 std::to_string(column));
  }
  return Ok();
}

Status ParseId(const Field& field, std::string& id) {
  if (field.text.empty()) return ColumnError(kId, "empty");
  id.assign(field.text);
  if (field.escaped) {
    size_t out = 0;
    for (size_t in = 0; in < id.size(); ++in, ++out) {
      id[out] = id[in];
      if (id[in] == '"') ++in;  // the second quote of a pair
    }
    id.resize(out);
  }
  if (id.size() > kMaxTripIdBytes) {
    return ColumnError(kId, "longer than " + std::to_string(kMaxTripIdBytes) + " bytes");
  }
  for (size_t i = 0; i < id.size();) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c == 0x7f) return ColumnError(kId, "contains a control character");
    const size_t length = Utf8SequenceLength(id, i);
    if (length == 0) return ColumnError(kId, "not valid UTF-8");
    i += length;
  }
  return Ok();
}

Status ParseInt(const Fields& fields, size_t column, int64_t min, int64_t max, int64_t& value) {
  const std::string_view text = fields[column].text;
  if (text.empty()) return ColumnError(column, "empty");
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return ColumnError(column, Shown(text) + " is not an integer");
  }
  if (ec == std::errc::result_out_of_range)
    return ColumnError(column, Shown(text) + " is out of range");
  if (value < min && max == kNoMaximum)
    return ColumnError(column, std::string(text) + " is negative");
  if (value < min || value > max) {
    return ColumnError(column, std::string(text) + " is out of range " + std::to_string(min) +
                                   " to " + std::to_string(max));
  }
  return Ok();
}

// A finite decimal number in [min, max] (max kUnbounded: min must be 0).
Status ParseDouble(const Fields& fields, size_t column, double min, double max, double& value) {
  const std::string_view text = fields[column].text;
  if (text.empty()) return ColumnError(column, "empty");
  if (!ParseShortDecimal(text, value) || !std::isfinite(value)) {
    return ColumnError(column, Shown(text) + " is not a number");
  }
  if (value < min || value > max) {
    if (max == kUnbounded) return ColumnError(column, std::string(text) + " is negative");
    return ColumnError(column, std::string(text) + " is out of range " + NumberText(min) + " to " +
                                   NumberText(max));
  }
  return Ok();
}

Status ParseDateTime(const Fields& fields, size_t column, int64_t& unix_s) {
  const std::string_view text = fields[column].text;
  if (text.empty()) return ColumnError(column, "empty");
  if (!ParseCsvDateTime(text, unix_s)) {
    return ColumnError(column, Shown(text) + " is not a date-time YYYY-MM-DD HH:MM:SS");
  }
  return Ok();
}

Status ParseFlag(const Fields& fields, bool& store_and_fwd) {
  const std::string_view text = fields[kStoreAndFwdFlag].text;
  if (text.empty()) return ColumnError(kStoreAndFwdFlag, "empty");
  if (text != "Y" && text != "N")
    return ColumnError(kStoreAndFwdFlag, Shown(text) + " is not Y or N");
  store_and_fwd = text == "Y";
  return Ok();
}

// google_distance and google_duration: both empty (no estimate) or both non-negative.
Status ParseGoogleEstimate(const Fields& fields, Trip& trip) {
  const bool has_distance = !fields[kGoogleDistance].text.empty();
  const bool has_duration = !fields[kGoogleDuration].text.empty();
  trip.google_distance_km.reset();
  trip.google_duration_s.reset();
  if (!has_distance && !has_duration) return Ok();
  if (!has_distance) return ColumnError(kGoogleDistance, "empty while google_duration is set");
  if (!has_duration) return ColumnError(kGoogleDuration, "empty while google_distance is set");
  double distance_km = 0;
  int64_t duration_s = 0;
  if (auto ok = ParseDouble(fields, kGoogleDistance, 0, kUnbounded, distance_km); !ok) return ok;
  if (auto ok = ParseInt(fields, kGoogleDuration, 0, kNoMaximum, duration_s); !ok) {
    return ok;
  }
  trip.google_distance_km = distance_km;
  trip.google_duration_s = duration_s;
  return Ok();
}

Status ParseTimes(const Fields& fields, Trip& trip) {
  if (auto ok = ParseDateTime(fields, kPickupDatetime, trip.pickup_unix_s); !ok) return ok;
  if (auto ok = ParseDateTime(fields, kDropoffDatetime, trip.dropoff_unix_s); !ok) return ok;
  if (trip.dropoff_unix_s < trip.pickup_unix_s) {
    return ColumnError(kDropoffDatetime, std::string(fields[kDropoffDatetime].text) +
                                             " is before pickup_datetime " +
                                             std::string(fields[kPickupDatetime].text));
  }
  return Ok();
}

Status ParseCoordinates(const Fields& fields, Trip& trip) {
  if (auto ok = ParseDouble(fields, kPickupLongitude, -180, 180, trip.pickup_longitude); !ok) {
    return ok;
  }
  if (auto ok = ParseDouble(fields, kPickupLatitude, -90, 90, trip.pickup_latitude); !ok) return ok;
  if (auto ok = ParseDouble(fields, kDropoffLongitude, -180, 180, trip.dropoff_longitude); !ok) {
    return ok;
  }
  return ParseDouble(fields, kDropoffLatitude, -90, 90, trip.dropoff_latitude);
}

Status ParseTripDuration(const Fields& fields, Trip& trip) {
  if (auto ok = ParseInt(fields, kTripDuration, 0, kNoMaximum, trip.trip_duration_s); !ok) {
    return ok;
  }
  const int64_t elapsed_s = trip.dropoff_unix_s - trip.pickup_unix_s;
  if (trip.trip_duration_s != elapsed_s) {
    return ColumnError(kTripDuration, std::to_string(trip.trip_duration_s) +
                                          " is not dropoff_datetime - pickup_datetime (" +
                                          std::to_string(elapsed_s) + ")");
  }
  return Ok();
}

std::string_view StripLineBreak(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Status ParseTripCsv(std::string_view line, Trip& trip) {
  Fields fields;
  if (auto ok = SplitFields(StripLineBreak(line), fields); !ok) return ok;
  if (auto ok = ParseId(fields[kId], trip.id); !ok) return ok;
  int64_t vendor_id = 0;
  if (auto ok = ParseInt(fields, kVendorId, kMinVendorId, kMaxVendorId, vendor_id); !ok) return ok;
  trip.vendor_id = static_cast<int>(vendor_id);
  if (auto ok = ParseTimes(fields, trip); !ok) return ok;
  int64_t passengers = 0;
  if (auto ok = ParseInt(fields, kPassengerCount, 0, kMaxPassengers, passengers); !ok) return ok;
  trip.passenger_count = static_cast<int>(passengers);
  if (auto ok = ParseCoordinates(fields, trip); !ok) return ok;
  if (auto ok = ParseFlag(fields, trip.store_and_fwd); !ok) return ok;
  if (auto ok = ParseDouble(fields, kGcDistance, 0, kUnbounded, trip.gc_distance_km); !ok) {
    return ok;
  }
  if (auto ok = ParseTripDuration(fields, trip); !ok) return ok;
  return ParseGoogleEstimate(fields, trip);
}

Result<Trip> ParseTripCsv(std::string_view line) {
  Trip trip;
  if (auto ok = ParseTripCsv(line, trip); !ok) return Fail(std::move(ok.error()));
  return trip;
}

bool IsTripCsvHeader(std::string_view line) { return StripLineBreak(line) == kTripCsvHeader; }

namespace {

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  out.append(buffer, std::to_chars(buffer, buffer + sizeof(buffer), value).ptr);
}

void AppendDouble(double value, std::string& out) {
  char buffer[kMaxDoubleChars];
  out.append(buffer, FormatShortest(value, buffer));
}

void AppendCsvId(std::string_view id, std::string& out) {
  if (id.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(id);
    return;
  }
  out.push_back('"');
  for (char c : id) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCsvDateTime(int64_t unix_s, std::string& out) {
  char buffer[kDateTimeChars];
  FormatDateTime(unix_s, ' ', buffer);
  out.append(buffer, sizeof(buffer));
}

}  // namespace

void AppendTripCsv(const Trip& trip, std::string& out) {
  AppendCsvId(trip.id, out);
  out.push_back(',');
  AppendInt(trip.vendor_id, out);
  out.push_back(',');
  AppendCsvDateTime(trip.pickup_unix_s, out);
  out.push_back(',');
  AppendCsvDateTime(trip.dropoff_unix_s, out);
  out.push_back(',');
  AppendInt(trip.passenger_count, out);
  for (double coordinate : {trip.pickup_longitude, trip.pickup_latitude, trip.dropoff_longitude,
                            trip.dropoff_latitude}) {
    out.push_back(',');
    AppendDouble(coordinate, out);
  }
  out.append(trip.store_and_fwd ? ",Y," : ",N,");
  AppendDouble(trip.gc_distance_km, out);
  out.push_back(',');
  AppendInt(trip.trip_duration_s, out);
  out.push_back(',');
  if (trip.google_distance_km) AppendDouble(*trip.google_distance_km, out);
  out.push_back(',');
  if (trip.google_duration_s) AppendInt(*trip.google_duration_s, out);
}

}  // namespace sluice::taxi
