#include "taxi/trip_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <string>

#include "taxi/civil_time.h"
#include "taxi/trip_csv.h"
#include "taxi/trip_generator.h"

namespace sluice::taxi {
namespace {

constexpr std::string_view kRow =
    "id2875421,2,2016-03-14 17:24:55,2016-03-14 17:32:30,1,-73.982154846191406,"
    "40.767936706542969,-73.964630126953125,40.765602111816406,N,1.499,455,2.01,371";

Trip KnownTrip() { return *ParseTripCsv(kRow); }

TEST(TripJsonTest, WritesAKnownRowExactly) {
  EXPECT_EQ(TripToJson(KnownTrip(), "trips-2016-03.csv"),
            R"({"id":"id2875421","vendorId":2,"pickupDate":"2016-03-14T17:24:55Z",)"
            R"("dropoffDate":"2016-03-14T17:32:30Z","passengerCount":1,)"
            R"("pickupLongitude":-73.9821548461914,"pickupLatitude":40.76793670654297,)"
            R"("dropoffLongitude":-73.96463012695312,"dropoffLatitude":40.765602111816406,)"
            R"("storeAndFwdFlag":"N","gcDistance":1.499,"tripDuration":455,)"
            R"("googleDistance":2.01,"googleDuration":371,"source":"trips-2016-03.csv"})");
}

// The example of docs/formats/taxi-trips.md (the first row of `gen-trips --seed 1`).
TEST(TripJsonTest, WritesTheExampleOfTheFormatPage) {
  auto trip = ParseTripCsv(
      "id0000001,2,2016-01-01 00:00:42,2016-01-01 00:16:02,5,-73.974423,40.787457,-73.958903,"
      "40.759431,N,3.379,920,4.07,747");
  ASSERT_TRUE(trip);
  EXPECT_EQ(TripToJson(*trip, "trips.csv"),
            R"({"id":"id0000001","vendorId":2,"pickupDate":"2016-01-01T00:00:42Z",)"
            R"("dropoffDate":"2016-01-01T00:16:02Z","passengerCount":5,)"
            R"("pickupLongitude":-73.974423,"pickupLatitude":40.787457,)"
            R"("dropoffLongitude":-73.958903,"dropoffLatitude":40.759431,"storeAndFwdFlag":"N",)"
            R"("gcDistance":3.379,"tripDuration":920,"googleDistance":4.07,"googleDuration":747,)"
            R"("source":"trips.csv"})");
}

TEST(TripJsonTest, WritesNullForNoEstimate) {
  Trip trip = KnownTrip();
  trip.store_and_fwd = true;
  trip.google_distance_km.reset();
  trip.google_duration_s.reset();
  const std::string json = TripToJson(trip, "t.csv");
  EXPECT_NE(json.find(R"("storeAndFwdFlag":"Y",)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("googleDistance":null,"googleDuration":null,"source":"t.csv"})"),
            std::string::npos)
      << json;
}

TEST(TripJsonTest, EscapesStrings) {
  Trip trip = KnownTrip();
  trip.id = "a\"b\\c\n\t\x01\x1f/\x7f\xc3\xa9\xf0\x9f\x9a\x95";
  const std::string json = TripToJson(trip, "dir\\\"x\".csv");
  EXPECT_TRUE(
      json.starts_with("{\"id\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/\x7f\xc3\xa9\xf0\x9f\x9a\x95\","))
      << json;
  EXPECT_TRUE(json.ends_with(",\"source\":\"dir\\\\\\\"x\\\".csv\"}")) << json;
}

TEST(TripJsonTest, ReplacesBytesThatAreNotUtf8) {
  Trip trip = KnownTrip();
  trip.id =
      "a\xff"
      "b\xc3"
      "c\xed\xa0\x80"
      "d\xe2\x82";
  const std::string json = TripToJson(trip, "s\xc0\xaf");
  EXPECT_TRUE(json.starts_with(R"({"id":"a\ufffdb\ufffdc\ufffd\ufffd\ufffdd\ufffd\ufffd",)"))
      << json;
  EXPECT_TRUE(json.ends_with(R"(,"source":"s\ufffd\ufffd"})")) << json;
}

TEST(TripJsonTest, WritesNullForValuesWithoutAJsonForm) {
  Trip trip = KnownTrip();
  trip.gc_distance_km = std::nan("");
  trip.pickup_latitude = INFINITY;
  trip.pickup_unix_s = -1;
  trip.dropoff_unix_s = 253402300800;
  const std::string json = TripToJson(trip, "t.csv");
  EXPECT_NE(json.find(R"("pickupDate":null,"dropoffDate":null,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("pickupLatitude":null,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("gcDistance":null,)"), std::string::npos) << json;
}

TEST(TripJsonTest, AppendsToWhatIsThereAndFitsTheLongestValues) {
  Trip trip = KnownTrip();
  trip.id = std::string(kMaxTripIdBytes, '\x01');
  trip.vendor_id = -2147483647 - 1;
  trip.passenger_count = -2147483647 - 1;
  trip.trip_duration_s = INT64_MIN;
  trip.google_duration_s = INT64_MIN;
  trip.pickup_longitude = -2.2250738585072014e-308;
  trip.pickup_latitude = -1.7976931348623157e308;
  trip.dropoff_longitude = -2.2250738585072014e-308;
  trip.dropoff_latitude = -2.2250738585072014e-308;
  trip.gc_distance_km = -2.2250738585072014e-308;
  trip.google_distance_km = -2.2250738585072014e-308;
  std::string out = "[";
  TripJsonEncoder encoder("source");
  encoder.Append(trip, out);
  out += ",";
  encoder.Append(KnownTrip(), out);
  out += "]";
  EXPECT_TRUE(out.starts_with("[{\"id\":\"\\u0001\\u0001")) << out;
  EXPECT_NE(out.find(R"("tripDuration":-9223372036854775808,)"), std::string::npos);
  EXPECT_NE(out.find(R"("pickupLatitude":-1.7976931348623157e+308,)"), std::string::npos);
  EXPECT_NE(out.find(R"(,"source":"source"},{"id":"id2875421",)"), std::string::npos);
  EXPECT_TRUE(out.ends_with(R"("source":"source"}])")) << out;
}

// Every generated trip, and ids full of characters that need escaping, read back through a
// real JSON parser with the values they were written from.
TEST(TripJsonTest, ReadsBackThroughAJsonParser) {
  auto generator = TripGenerator::Create({5000, 4, 0});
  ASSERT_TRUE(generator);
  const TripJsonEncoder encoder("folder/\"odd\" name\t.csv");
  simdjson::dom::parser parser;
  std::string line;
  std::string json;
  for (int i = 0; i < 5000; ++i) {
    line.clear();
    generator->AppendRow(line);
    Trip trip = *ParseTripCsv(line);
    if (i % 7 == 0) trip.id = "q\"b\\s\x01\x7f \xc3\xa9 " + std::to_string(i);
    json.clear();
    encoder.Append(trip, json);
    simdjson::dom::element object;
    ASSERT_EQ(parser.parse(json).get(object), simdjson::SUCCESS) << json;
    EXPECT_EQ(std::string_view(object["id"]), trip.id);
    EXPECT_EQ(int64_t(object["vendorId"]), trip.vendor_id);
    EXPECT_EQ(int64_t(object["passengerCount"]), trip.passenger_count);
    EXPECT_EQ(double(object["pickupLongitude"]), trip.pickup_longitude);
    EXPECT_EQ(double(object["pickupLatitude"]), trip.pickup_latitude);
    EXPECT_EQ(double(object["dropoffLongitude"]), trip.dropoff_longitude);
    EXPECT_EQ(double(object["dropoffLatitude"]), trip.dropoff_latitude);
    EXPECT_EQ(double(object["gcDistance"]), trip.gc_distance_km);
    EXPECT_EQ(int64_t(object["tripDuration"]), trip.trip_duration_s);
    if (trip.google_distance_km) {
      EXPECT_EQ(double(object["googleDistance"]), *trip.google_distance_km);
      EXPECT_EQ(int64_t(object["googleDuration"]), *trip.google_duration_s);
    } else {
      EXPECT_TRUE(object["googleDistance"].is_null());
      EXPECT_TRUE(object["googleDuration"].is_null());
    }
    EXPECT_EQ(std::string_view(object["storeAndFwdFlag"]), trip.store_and_fwd ? "Y" : "N");
    EXPECT_EQ(std::string_view(object["source"]), "folder/\"odd\" name\t.csv");
    char pickup[kDateTimeChars];
    FormatDateTime(trip.pickup_unix_s, 'T', pickup);
    EXPECT_EQ(std::string_view(object["pickupDate"]), std::string(pickup, sizeof(pickup)) + "Z");
  }
}

}  // namespace
}  // namespace sluice::taxi
