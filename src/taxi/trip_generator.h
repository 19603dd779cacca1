#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>

#include "common/result.h"
#include "taxi/trip.h"

// Synthetic trip CSV for tests, demos and benchmarks: realistic NYC trips, reproducible from
// a seed, with a chosen share of malformed rows. What it draws: docs/formats/taxi-trips.md.
namespace sluice::taxi {

// What is wrong with a generated row; every kind but kNone is rejected by ParseTripCsv.
enum class BadRowKind {
  kNone,
  kWrongColumnCount,          // a column missing or one too many
  kEmptyId,                   // id column empty
  kBadNumber,                 // a number column holding text that is not a number
  kBadDateTime,               // a date-time that is not YYYY-MM-DD HH:MM:SS or no real date
  kCoordinateOutOfRange,      // a latitude past +-90 or a longitude past +-180
  kPassengerCountOutOfRange,  // passenger_count outside 0-9
  kBadFlag,                   // store_and_fwd_flag neither Y nor N
  kDropoffBeforePickup,       // the two date-times swapped
  kDurationMismatch,          // trip_duration != dropoff - pickup
  kBadQuoting,                // a stray quote in the id, or text after its closing quote
};
inline constexpr int kBadRowKindCount = 10;  // kinds besides kNone

std::string_view BadRowKindName(BadRowKind kind);

// Pickups start here (2016-01-01T00:00:00Z) and spread evenly over kPickupWindowS.
inline constexpr int64_t kTripsStartUnixS = 1451606400;
inline constexpr int64_t kPickupWindowS = 6 * 3600;

struct TripGeneratorOptions {
  uint64_t rows = 0;         // rows planned (sets the pickup pace); more may be drawn
  uint64_t seed = 0;         // the std::mt19937_64 seed
  double bad_row_share = 0;  // probability that a row is malformed, in [0, 1]
};

// Draws trip rows one at a time, roughly in pickup order (a pickup may come up to three
// minutes before the previous row's). Rows depend only on the options and on how many rows
// came before: the same options give the same bytes on every run, whatever the standard
// library. All distributions are computed here from std::mt19937_64 output, whose sequence
// the C++ standard fixes; besides correctly rounded operations (sqrt, round) the only math
// library calls are the sin/cos/asin of the great-circle distance, whose result is rounded
// to metres. Not thread-safe; movable.
class TripGenerator {
 public:
  // kInvalidArgument when bad_row_share is not in [0, 1].
  [[nodiscard]] static Result<TripGenerator> Create(const TripGeneratorOptions& options);

  // Appends the next row and its "\n" to `out`; returns what is wrong with it. Row n
  // (from 1) has id "id" + n zero-padded to 7 digits, malformed or not.
  BadRowKind AppendRow(std::string& out);

  uint64_t rows_drawn() const { return next_row_; }

 private:
  explicit TripGenerator(const TripGeneratorOptions& options);

  void DrawTrip(uint64_t row);
  void Corrupt(BadRowKind kind, size_t row_start, std::string& out);

  TripGeneratorOptions options_;
  std::mt19937_64 rng_;
  uint64_t next_row_ = 0;
  Trip trip_;  // the current row's trip, reused to keep its id buffer
};

struct GeneratedTrips {
  uint64_t rows = 0;      // data rows, header not counted
  uint64_t bad_rows = 0;  // of which malformed
  uint64_t bytes = 0;     // header included
};

// Writes the header line and `rows` rows (each line ends with "\n") to `out`.
// kInvalidArgument for a share outside [0, 1]; kUnavailable when `out` fails (it may then
// hold part of the file).
[[nodiscard]] Result<GeneratedTrips> GenerateTrips(uint64_t rows, uint64_t seed,
                                                   double bad_row_share, std::ostream& out);

}  // namespace sluice::taxi
