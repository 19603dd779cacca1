#pragma once

#include <string>
#include <string_view>

#include "taxi/trip.h"

// The JSON form of a trip, as records carry it through streams, delivery and the catalog
// (field names and types: docs/formats/taxi-trips.md).
namespace sluice::taxi {

// Writes trips as compact JSON objects, one per call, e.g.
//   {"id":"id0000001","vendorId":2,"pickupDate":"2016-01-01T00:00:17Z",...,
//    "googleDistance":null,"googleDuration":null,"source":"trips.csv"}
// Fields in catalog order; dates as ISO-8601 UTC strings; numbers in the shortest form that
// reads back to the same value; an empty optional, a non-finite number or a date outside
// years 1970-9999 as null. Strings are escaped (quote, backslash, control characters) and
// any byte that is not part of well-formed UTF-8 becomes U+FFFD, so the output is always
// valid JSON. The source text is escaped once, in the constructor. Append() is const and
// thread-safe; it grows `out` at most once per call and allocates nothing else.
class TripJsonEncoder {
 public:
  // `source`: the input file's name, written as "source" in every object.
  explicit TripJsonEncoder(std::string_view source);

  // Appends the object for `trip` to `out` (no line break).
  void Append(const Trip& trip, std::string& out) const;

 private:
  std::string source_tail_;  // ,"source":"<escaped source>"}
};

// One object, for tests and one-off callers.
std::string TripToJson(const Trip& trip, std::string_view source);

}  // namespace sluice::taxi
