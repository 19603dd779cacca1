#include "taxi/trip_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "taxi/trip_csv.h"

namespace sluice::taxi {
namespace {

std::string Generate(uint64_t rows, uint64_t seed, double bad_row_share) {
  std::ostringstream out;
  auto written = GenerateTrips(rows, seed, bad_row_share, out);
  EXPECT_TRUE(written) << written.error().message;
  return out.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

double HaversineKm(double lat1, double lon1, double lat2, double lon2) {
  const double to_rad = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * to_rad;
  const double dlon = (lon2 - lon1) * to_rad;
  const double a = std::pow(std::sin(dlat / 2), 2) + std::cos(lat1 * to_rad) *
                                                         std::cos(lat2 * to_rad) *
                                                         std::pow(std::sin(dlon / 2), 2);
  return 2 * 6371.0 * std::asin(std::sqrt(a));
}

// Part of the message ParseTripCsv gives for each kind of generated bad row.
const std::map<BadRowKind, std::vector<std::string>> kExpectedMessages = {
    {BadRowKind::kWrongColumnCount, {"wrong column count"}},
    {BadRowKind::kEmptyId, {"column 'id': empty"}},
    {BadRowKind::kBadNumber, {"is not an integer", "is not a number"}},
    {BadRowKind::kBadDateTime, {"is not a date-time"}},
    {BadRowKind::kCoordinateOutOfRange, {"itude': "}},
    {BadRowKind::kPassengerCountOutOfRange, {"column 'passenger_count': "}},
    {BadRowKind::kBadFlag, {"is not Y or N"}},
    {BadRowKind::kDropoffBeforePickup, {"is before pickup_datetime"}},
    {BadRowKind::kDurationMismatch, {"is not dropoff_datetime - pickup_datetime"}},
    {BadRowKind::kBadQuoting, {"quote"}},
};

TEST(TripGeneratorTest, SameSeedGivesTheSameBytes) {
  EXPECT_EQ(Generate(20000, 7, 0.05), Generate(20000, 7, 0.05));
}

TEST(TripGeneratorTest, DifferentSeedsGiveDifferentBytes) {
  const std::string a = Generate(1000, 7, 0.05);
  const std::string b = Generate(1000, 8, 0.05);
  EXPECT_NE(a, b);
  EXPECT_NE(Lines(a)[1], Lines(b)[1]);
}

// Pins the exact output of one seed, so that a change of algorithm (or a platform that
// computes differently) shows up.
TEST(TripGeneratorTest, FirstRowsOfSeedOneAreFixed) {
  const auto lines = Lines(Generate(3, 1, 0));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1],
            "id0000001,2,2016-01-01 00:00:42,2016-01-01 00:16:02,5,-73.974423,40.787457,"
            "-73.958903,40.759431,N,3.379,920,4.07,747");
  EXPECT_EQ(lines[2],
            "id0000002,1,2016-01-01 02:01:50,2016-01-01 02:18:03,1,-74.008553,40.734627,"
            "-73.959573,40.742922,N,4.228,973,5.41,785");
  EXPECT_EQ(lines[3],
            "id0000003,2,2016-01-01 04:02:11,2016-01-01 04:13:33,1,-73.998687,40.723583,"
            "-73.997795,40.748346,N,2.755,682,3.59,526");
}

TEST(TripGeneratorTest, WritesTheHeaderThenOneLinePerRow) {
  const std::string text = Generate(500, 1, 0.1);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto lines = Lines(text);
  ASSERT_EQ(lines.size(), 501u);
  EXPECT_EQ(lines[0], kTripCsvHeader);
  EXPECT_TRUE(IsTripCsvHeader(lines[0]));
  EXPECT_EQ(Lines(Generate(0, 1, 0.1)), std::vector<std::string>{std::string(kTripCsvHeader)});
}

TEST(TripGeneratorTest, GenerateTripsWritesTheGeneratorsRows) {
  auto generator = TripGenerator::Create({300, 5, 0.2});
  ASSERT_TRUE(generator);
  std::string expected = std::string(kTripCsvHeader) + "\n";
  uint64_t bad = 0;
  for (int i = 0; i < 300; ++i) bad += generator->AppendRow(expected) != BadRowKind::kNone;
  std::ostringstream out;
  auto written = GenerateTrips(300, 5, 0.2, out);
  ASSERT_TRUE(written);
  EXPECT_EQ(out.str(), expected);
  EXPECT_EQ(written->rows, 300u);
  EXPECT_EQ(written->bad_rows, bad);
  EXPECT_EQ(written->bytes, expected.size());
  EXPECT_EQ(generator->rows_drawn(), 300u);
}

TEST(TripGeneratorTest, EveryGoodRowParsesAndEveryBadRowIsRejected) {
  constexpr uint64_t kRows = 20000;
  auto generator = TripGenerator::Create({kRows, 11, 0.3});
  ASSERT_TRUE(generator);
  std::map<BadRowKind, int> kinds;
  std::string line;
  for (uint64_t row = 0; row < kRows; ++row) {
    line.clear();
    const BadRowKind kind = generator->AppendRow(line);
    ASSERT_EQ(line.back(), '\n');
    ASSERT_EQ(line.find('\n'), line.size() - 1) << line;
    SCOPED_TRACE(line);
    auto trip = ParseTripCsv(line);
    ++kinds[kind];
    if (kind == BadRowKind::kNone) {
      ASSERT_TRUE(trip) << trip.error().message;
      char id[16];
      std::snprintf(id, sizeof(id), "id%07d", static_cast<int>(row + 1));
      EXPECT_EQ(trip->id, id);
      continue;
    }
    ASSERT_FALSE(trip) << BadRowKindName(kind);
    bool matched = false;
    for (const std::string& part : kExpectedMessages.at(kind)) {
      matched |= trip.error().message.find(part) != std::string::npos;
    }
    EXPECT_TRUE(matched) << BadRowKindName(kind) << ": " << trip.error().message;
  }
  EXPECT_EQ(kinds.size(), static_cast<size_t>(kBadRowKindCount) + 1);  // every kind drawn
  for (const auto& [kind, count] : kinds) {
    if (kind != BadRowKind::kNone) {
      EXPECT_GT(count, 400) << BadRowKindName(kind);
    }
  }
}

TEST(TripGeneratorTest, BadShareIsRespected) {
  constexpr uint64_t kRows = 100000;
  std::ostringstream out;
  auto written = GenerateTrips(kRows, 3, 0.01, out);
  ASSERT_TRUE(written);
  EXPECT_GT(written->bad_rows, 850u);  // 1000 expected, deviation about 31
  EXPECT_LT(written->bad_rows, 1150u);
  uint64_t rejected = 0;
  const auto lines = Lines(out.str());
  for (size_t i = 1; i < lines.size(); ++i) rejected += !ParseTripCsv(lines[i]);
  EXPECT_EQ(rejected, written->bad_rows);

  std::ostringstream none;
  EXPECT_EQ(GenerateTrips(2000, 3, 0, none)->bad_rows, 0u);
  std::ostringstream all;
  EXPECT_EQ(GenerateTrips(2000, 3, 1, all)->bad_rows, 2000u);
}

TEST(TripGeneratorTest, RejectsAShareOutsideZeroToOne) {
  for (double share : {-0.01, 1.01, std::nan("")}) {
    std::ostringstream out;
    auto written = GenerateTrips(10, 1, share, out);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(written.error().message, "bad row share must be between 0 and 1");
    EXPECT_TRUE(out.str().empty());
  }
}

TEST(TripGeneratorTest, ReportsAFailedStream) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  auto written = GenerateTrips(10, 1, 0, out);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
}

TEST(TripGeneratorTest, TripsLookLikeNewYork) {
  constexpr uint64_t kRows = 50000;
  const auto lines = Lines(Generate(kRows, 2016, 0));
  ASSERT_EQ(lines.size(), kRows + 1);
  std::set<std::string> ids;
  int64_t first_pickup = INT64_MAX, last_pickup = 0;
  std::map<int, int> passengers, vendors;
  int flagged = 0, no_estimate = 0, manhattan = 0, airport = 0;
  double duration_sum = 0, distance_sum = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const Trip trip = *ParseTripCsv(lines[i]);
    ids.insert(trip.id);
    for (auto [lat, lon] : {std::pair{trip.pickup_latitude, trip.pickup_longitude},
                            std::pair{trip.dropoff_latitude, trip.dropoff_longitude}}) {
      ASSERT_GE(lat, 40.4774);
      ASSERT_LE(lat, 40.9176);
      ASSERT_GE(lon, -74.2591);
      ASSERT_LE(lon, -73.7004);
    }
    const double gc = HaversineKm(trip.pickup_latitude, trip.pickup_longitude,
                                  trip.dropoff_latitude, trip.dropoff_longitude);
    ASSERT_NEAR(trip.gc_distance_km, gc, 0.0006) << lines[i];
    // City speeds: between 3 and 60 km/h over the straight line, counting stops.
    ASSERT_LE(trip.gc_distance_km / (trip.trip_duration_s / 3600.0), 60.0) << lines[i];
    ASSERT_GE(trip.trip_duration_s, 30);
    ASSERT_LE(trip.trip_duration_s, 3 * 3600);
    if (trip.google_distance_km) {
      ASSERT_GE(*trip.google_distance_km, trip.gc_distance_km * 0.9) << lines[i];
      ASSERT_LE(*trip.google_distance_km, trip.gc_distance_km * 1.6 + 0.3) << lines[i];
      ASSERT_GT(*trip.google_duration_s, 0);
    } else {
      ++no_estimate;
    }
    first_pickup = std::min(first_pickup, trip.pickup_unix_s);
    last_pickup = std::max(last_pickup, trip.pickup_unix_s);
    ++passengers[trip.passenger_count];
    ++vendors[trip.vendor_id];
    flagged += trip.store_and_fwd;
    manhattan += trip.pickup_longitude > -74.02 && trip.pickup_longitude < -73.93 &&
                 trip.pickup_latitude > 40.70 && trip.pickup_latitude < 40.83;
    airport += HaversineKm(trip.pickup_latitude, trip.pickup_longitude, 40.6413, -73.7781) < 2 ||
               HaversineKm(trip.pickup_latitude, trip.pickup_longitude, 40.7769, -73.8740) < 1.5;
    duration_sum += static_cast<double>(trip.trip_duration_s);
    distance_sum += trip.gc_distance_km;
  }
  EXPECT_EQ(ids.size(), kRows);
  EXPECT_GE(first_pickup, kTripsStartUnixS);
  EXPECT_LT(first_pickup, kTripsStartUnixS + 300);
  EXPECT_GT(last_pickup, kTripsStartUnixS + kPickupWindowS - 300);
  EXPECT_LT(last_pickup, kTripsStartUnixS + kPickupWindowS + 300);
  EXPECT_EQ(passengers.begin()->first, 1);
  EXPECT_EQ(passengers.rbegin()->first, 6);
  EXPECT_NEAR(passengers[1] / double(kRows), 0.71, 0.02);
  EXPECT_EQ(vendors.size(), 2u);
  EXPECT_NEAR(vendors[2] / double(kRows), 0.535, 0.02);
  EXPECT_NEAR(flagged / double(kRows), 0.006, 0.003);
  EXPECT_NEAR(no_estimate / double(kRows), 0.02, 0.005);
  EXPECT_GT(manhattan / double(kRows), 0.6);
  EXPECT_NEAR(airport / double(kRows), 0.07, 0.02);
  EXPECT_GT(duration_sum / kRows, 8 * 60);  // the reference data's mean is about 14 minutes
  EXPECT_LT(duration_sum / kRows, 20 * 60);
  EXPECT_GT(distance_sum / kRows, 2.0);  // and its mean straight-line distance about 3.4 km
  EXPECT_LT(distance_sum / kRows, 6.0);
}

TEST(TripGeneratorTest, NamesEveryKind) {
  std::set<std::string_view> names;
  for (int kind = 0; kind <= kBadRowKindCount; ++kind) {
    names.insert(BadRowKindName(static_cast<BadRowKind>(kind)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kBadRowKindCount) + 1);
  EXPECT_EQ(names.count("unknown"), 0u);
}

}  // namespace
}  // namespace sluice::taxi
