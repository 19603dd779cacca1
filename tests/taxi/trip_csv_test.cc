#include "taxi/trip_csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::taxi {
namespace {

// A row of the reference data's shape; tests change one column at a time.
std::vector<std::string> GoodFields() {
  return {"id2875421",
          "2",
          "2016-03-14 17:24:55",
          "2016-03-14 17:32:30",
          "1",
          "-73.982155",
          "40.767937",
          "-73.96463",
          "40.765602",
          "N",
          "1.499",
          "455",
          "2.01",
          "371"};
}

std::string Join(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.push_back(',');
    line += fields[i];
  }
  return line;
}

std::string WithField(size_t column, const std::string& text) {
  auto fields = GoodFields();
  fields[column] = text;
  return Join(fields);
}

TEST(TripCsvTest, ParsesAGoodRow) {
  auto trip = ParseTripCsv(Join(GoodFields()));
  ASSERT_TRUE(trip) << trip.error().message;
  EXPECT_EQ(trip->id, "id2875421");
  EXPECT_EQ(trip->vendor_id, 2);
  EXPECT_EQ(trip->pickup_unix_s, 1457976295);
  EXPECT_EQ(trip->dropoff_unix_s, 1457976750);
  EXPECT_EQ(trip->passenger_count, 1);
  EXPECT_EQ(trip->pickup_longitude, -73.982155);
  EXPECT_EQ(trip->pickup_latitude, 40.767937);
  EXPECT_EQ(trip->dropoff_longitude, -73.96463);
  EXPECT_EQ(trip->dropoff_latitude, 40.765602);
  EXPECT_FALSE(trip->store_and_fwd);
  EXPECT_EQ(trip->gc_distance_km, 1.499);
  EXPECT_EQ(trip->trip_duration_s, 455);
  EXPECT_EQ(trip->google_distance_km, 2.01);
  EXPECT_EQ(trip->google_duration_s, 371);
}

TEST(TripCsvTest, EmptyGoogleColumnsMeanNoEstimate) {
  auto fields = GoodFields();
  fields[12] = "";
  fields[13] = "";
  auto trip = ParseTripCsv(Join(fields));
  ASSERT_TRUE(trip) << trip.error().message;
  EXPECT_FALSE(trip->google_distance_km.has_value());
  EXPECT_FALSE(trip->google_duration_s.has_value());
}

TEST(TripCsvTest, AcceptsQuotedFieldsWithDoubledQuotes) {
  auto fields = GoodFields();
  fields[0] = R"("id ""7"", a, b")";
  fields[2] = "\"2016-03-14 17:24:55\"";
  fields[9] = "\"Y\"";
  fields[13] = "\"\"";
  fields[12] = "\"\"";
  auto trip = ParseTripCsv(Join(fields));
  ASSERT_TRUE(trip) << trip.error().message;
  EXPECT_EQ(trip->id, R"(id "7", a, b)");
  EXPECT_EQ(trip->pickup_unix_s, 1457976295);
  EXPECT_TRUE(trip->store_and_fwd);
  EXPECT_FALSE(trip->google_duration_s.has_value());
}

TEST(TripCsvTest, IgnoresTheLineBreak) {
  EXPECT_TRUE(ParseTripCsv(Join(GoodFields()) + "\r\n"));
  EXPECT_TRUE(ParseTripCsv(Join(GoodFields()) + "\n"));
  EXPECT_TRUE(ParseTripCsv(Join(GoodFields()) + "\r"));
}

TEST(TripCsvTest, AcceptsBoundaryValues) {
  EXPECT_TRUE(ParseTripCsv(WithField(4, "0")));  // the reference data has 0-passenger trips
  EXPECT_TRUE(ParseTripCsv(WithField(4, "9")));
  EXPECT_TRUE(ParseTripCsv(WithField(5, "-180")));
  EXPECT_TRUE(ParseTripCsv(WithField(6, "90")));
  EXPECT_TRUE(ParseTripCsv(WithField(10, "0")));
  EXPECT_TRUE(ParseTripCsv(WithField(10, "1.5e-3")));
  EXPECT_TRUE(ParseTripCsv(WithField(0, std::string(kMaxTripIdBytes, 'a'))));
  EXPECT_TRUE(ParseTripCsv(WithField(0, "trip-\xc3\xa9t\xc3\xa9-\xf0\x9f\x9a\x95")));
  auto fields = GoodFields();
  fields[2] = "2016-02-29 23:59:59";
  fields[3] = "2016-02-29 23:59:59";
  fields[11] = "0";
  EXPECT_TRUE(ParseTripCsv(Join(fields)));  // a leap day, zero duration
}

struct BadRow {
  std::string line;
  std::string message;
};

TEST(TripCsvTest, RejectsMalformedRowsNamingTheColumnAndTheProblem) {
  auto short_row = GoodFields();
  short_row.pop_back();
  auto long_row = GoodFields();
  long_row.push_back("N");
  auto swapped = GoodFields();
  swapped[3] = "2016-03-14 17:20:00";
  auto no_duration = GoodFields();
  no_duration[13] = "";
  auto no_distance = GoodFields();
  no_distance[12] = "";
  const std::vector<BadRow> rows = {
      {Join(short_row), "wrong column count: expected 14, found 13"},
      {Join(long_row), "wrong column count: expected 14, found 15"},
      {"", "wrong column count: expected 14, found 1"},
      {WithField(0, ""), "column 'id': empty"},
      {WithField(0, std::string(kMaxTripIdBytes + 1, 'a')), "column 'id': longer than 64 bytes"},
      {WithField(0, "id\t1"), "column 'id': contains a control character"},
      {WithField(0, "id\xc3"), "column 'id': not valid UTF-8"},
      {WithField(0, "id\xc0\xaf"), "column 'id': not valid UTF-8"},
      {WithField(1, "2.0"), "column 'vendor_id': \"2.0\" is not an integer"},
      {WithField(1, "0"), "column 'vendor_id': 0 is out of range 1 to 99"},
      {WithField(1, ""), "column 'vendor_id': empty"},
      {WithField(2, "2016-02-30 17:24:55"),
       "column 'pickup_datetime': \"2016-02-30 17:24:55\" is not a date-time YYYY-MM-DD "
       "HH:MM:SS"},
      {WithField(3, "2016-03-14T17:32:30"),
       "column 'dropoff_datetime': \"2016-03-14T17:32:30\" is not a date-time YYYY-MM-DD "
       "HH:MM:SS"},
      {Join(swapped),
       "column 'dropoff_datetime': 2016-03-14 17:20:00 is before pickup_datetime 2016-03-14 "
       "17:24:55"},
      {WithField(4, "10"), "column 'passenger_count': 10 is out of range 0 to 9"},
      {WithField(4, "-1"), "column 'passenger_count': -1 is out of range 0 to 9"},
      {WithField(4, "99999999999999999999"),
       "column 'passenger_count': \"99999999999999999999\" is out of range"},
      {WithField(4, " 1"), "column 'passenger_count': \" 1\" is not an integer"},
      {WithField(5, "abc"), "column 'pickup_longitude': \"abc\" is not a number"},
      {WithField(5, "+73.9"), "column 'pickup_longitude': \"+73.9\" is not a number"},
      {WithField(6, "91"), "column 'pickup_latitude': 91 is out of range -90 to 90"},
      {WithField(7, "-180.5"), "column 'dropoff_longitude': -180.5 is out of range -180 to 180"},
      {WithField(8, "nan"), "column 'dropoff_latitude': \"nan\" is not a number"},
      {WithField(8, "inf"), "column 'dropoff_latitude': \"inf\" is not a number"},
      {WithField(9, "y"), "column 'store_and_fwd_flag': \"y\" is not Y or N"},
      {WithField(9, ""), "column 'store_and_fwd_flag': empty"},
      {WithField(10, "-1"), "column 'gc_distance': -1 is negative"},
      {WithField(10, "1e400"), "column 'gc_distance': \"1e400\" is not a number"},
      {WithField(11, "456"),
       "column 'trip_duration': 456 is not dropoff_datetime - pickup_datetime (455)"},
      {WithField(11, "455.0"), "column 'trip_duration': \"455.0\" is not an integer"},
      {WithField(12, "-2"), "column 'google_distance': -2 is negative"},
      {WithField(13, "-5"), "column 'google_duration': -5 is negative"},
      {Join(no_duration), "column 'google_duration': empty while google_distance is set"},
      {Join(no_distance), "column 'google_distance': empty while google_duration is set"},
      {WithField(0, "\"id2875421"), "column 'id': unterminated quoted field"},
      {WithField(0, "id\"2875421"), "column 'id': quote inside an unquoted field"},
      {WithField(0, "\"id2875421\"x"), "column 'id': characters after the closing quote"},
      {WithField(13, "\"371"), "column 'google_duration': unterminated quoted field"},
      {Join(GoodFields()) + ",\"x", "column 15: unterminated quoted field"},
      {WithField(9, "\"Y\"\"\""), "column 'store_and_fwd_flag': \"Y\"\"\" is not Y or N"},
  };
  for (const BadRow& row : rows) {
    SCOPED_TRACE(row.line);
    auto trip = ParseTripCsv(row.line);
    ASSERT_FALSE(trip);
    EXPECT_EQ(trip.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(trip.error().message, row.message);
  }
}

TEST(TripCsvTest, ShowsLongOrBinaryValuesShortened) {
  auto trip = ParseTripCsv(WithField(5, std::string(40, '7') + "x\x01"));
  ASSERT_FALSE(trip);
  EXPECT_EQ(trip.error().message,
            "column 'pickup_longitude': \"" + std::string(32, '7') + "...\" is not a number");
  trip = ParseTripCsv(WithField(9, "\x01\xff"));
  ASSERT_FALSE(trip);
  EXPECT_EQ(trip.error().message, "column 'store_and_fwd_flag': \"??\" is not Y or N");
}

TEST(TripCsvTest, TheHeaderIsNotATrip) {
  EXPECT_TRUE(IsTripCsvHeader(kTripCsvHeader));
  EXPECT_TRUE(IsTripCsvHeader(std::string(kTripCsvHeader) + "\r\n"));
  EXPECT_FALSE(IsTripCsvHeader(Join(GoodFields())));
  std::string joined;
  for (std::string_view name : kTripColumnNames) joined += std::string(name) + ",";
  joined.pop_back();
  EXPECT_EQ(joined, kTripCsvHeader);
  auto trip = ParseTripCsv(kTripCsvHeader);
  ASSERT_FALSE(trip);
  EXPECT_EQ(trip.error().message, "column 'vendor_id': \"vendor_id\" is not an integer");
}

TEST(TripCsvTest, AppendTripCsvRoundTrips) {
  Trip trip = *ParseTripCsv(Join(GoodFields()));
  std::string line;
  AppendTripCsv(trip, line);
  EXPECT_EQ(line, Join(GoodFields()));

  trip.id = "a \"quoted\", id";
  trip.store_and_fwd = true;
  trip.google_distance_km.reset();
  trip.google_duration_s.reset();
  trip.pickup_longitude = -73.98215484619141;
  line.clear();
  AppendTripCsv(trip, line);
  EXPECT_EQ(line.substr(0, 19), R"("a ""quoted"", id",)");
  auto back = ParseTripCsv(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, trip);
}

TEST(TripCsvTest, ReusesTheTripGiven) {
  Trip trip;
  ASSERT_TRUE(ParseTripCsv(Join(GoodFields()), trip));
  auto fields = GoodFields();
  fields[0] = "id2";
  fields[12] = "";
  fields[13] = "";
  ASSERT_TRUE(ParseTripCsv(Join(fields), trip));
  EXPECT_EQ(trip.id, "id2");
  EXPECT_FALSE(trip.google_distance_km.has_value());
}

}  // namespace
}  // namespace sluice::taxi
