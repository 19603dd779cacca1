#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The trip of the NYC taxi reference dataset; its CSV and JSON forms are described in
// docs/formats/taxi-trips.md.
namespace sluice::taxi {

// One trip, as the parser produces it and the encoders read it. Plain values: the parser
// guarantees the documented ranges; a Trip built by hand is written as it is.
struct Trip {
  std::string id;  // non-empty UTF-8 without control characters, at most kMaxTripIdBytes
  int vendor_id = 0;
  int64_t pickup_unix_s = 0;  // seconds since 1970-01-01T00:00:00Z
  int64_t dropoff_unix_s = 0;
  int passenger_count = 0;
  double pickup_longitude = 0;  // degrees (WGS 84)
  double pickup_latitude = 0;
  double dropoff_longitude = 0;
  double dropoff_latitude = 0;
  bool store_and_fwd = false;  // store_and_fwd_flag: Y = true, N = false
  double gc_distance_km = 0;   // great-circle distance from pickup to dropoff
  int64_t trip_duration_s = 0;
  std::optional<double> google_distance_km;  // empty column: no route estimate
  std::optional<int64_t> google_duration_s;

  bool operator==(const Trip&) const = default;
};

inline constexpr size_t kTripColumnCount = 14;
inline constexpr size_t kMaxTripIdBytes = 64;

// CSV column names, in file order.
inline constexpr std::array<std::string_view, kTripColumnCount> kTripColumnNames = {
    "id",
    "vendor_id",
    "pickup_datetime",
    "dropoff_datetime",
    "passenger_count",
    "pickup_longitude",
    "pickup_latitude",
    "dropoff_longitude",
    "dropoff_latitude",
    "store_and_fwd_flag",
    "gc_distance",
    "trip_duration",
    "google_distance",
    "google_duration",
};

// The first line of a trip CSV file (without its line break).
inline constexpr std::string_view kTripCsvHeader =
    "id,vendor_id,pickup_datetime,dropoff_datetime,passenger_count,pickup_longitude,"
    "pickup_latitude,dropoff_longitude,dropoff_latitude,store_and_fwd_flag,gc_distance,"
    "trip_duration,google_distance,google_duration";

}  // namespace sluice::taxi
