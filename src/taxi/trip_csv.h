#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "taxi/trip.h"

// The trip CSV format: one trip per line, the columns of kTripColumnNames, RFC 4180
// quoting. Rules and error messages: docs/formats/taxi-trips.md.
namespace sluice::taxi {

// Parses one CSV record (a line without its line break; a trailing "\r" or "\n" is
// ignored). A malformed row is kInvalidArgument with a message naming the column and the
// problem, e.g. "column 'passenger_count': 12 is out of range 0 to 9". The header line is
// not a trip (see IsTripCsvHeader). Thread-safe; allocates only for ids past the small
// string buffer and for error messages.
[[nodiscard]] Result<Trip> ParseTripCsv(std::string_view line);

// The same into an existing Trip, reusing its id buffer (for hot loops). After an error,
// `trip` holds unspecified valid values.
[[nodiscard]] Status ParseTripCsv(std::string_view line, Trip& trip);

// True for the header line (kTripCsvHeader), with or without a trailing "\r".
bool IsTripCsvHeader(std::string_view line);

// Appends `trip` as one CSV record, without a line break: numbers in the shortest form
// that reads back to the same value, the id quoted when it holds a comma, a quote or a
// line break. Parsing the result gives `trip` back when `trip` is within the rules.
void AppendTripCsv(const Trip& trip, std::string& out);

}  // namespace sluice::taxi
