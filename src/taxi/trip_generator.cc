#include "taxi/trip_generator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "taxi/trip_csv.h"

namespace sluice::taxi {
namespace {

// The NYC bounding box every generated point lies in.
constexpr double kMinLatitude = 40.4774;
constexpr double kMaxLatitude = 40.9176;
constexpr double kMinLongitude = -74.2591;
constexpr double kMaxLongitude = -73.7004;

constexpr double kEarthRadiusKm = 6371.0;
constexpr double kPi = 3.14159265358979323846;
constexpr size_t kOutputChunkBytes = size_t{1} << 20;

// A place trips start or end near: a near-normal spread (degrees) around a centre.
struct Cluster {
  double latitude;
  double longitude;
  double sigma_latitude;
  double sigma_longitude;
  int weight;  // relative share of pickups and dropoffs
  bool airport;
};

constexpr size_t kClusterCount = 13;
constexpr std::array<Cluster, kClusterCount> kClusters = {{
    {40.7549, -73.9840, 0.0100, 0.0100, 30, false},  // Midtown
    {40.7736, -73.9566, 0.0100, 0.0080, 14, false},  // Upper East Side
    {40.7870, -73.9754, 0.0100, 0.0080, 10, false},  // Upper West Side
    {40.7336, -74.0027, 0.0080, 0.0080, 14, false},  // Chelsea and the Village
    {40.7128, -74.0060, 0.0070, 0.0070, 8, false},   // Lower Manhattan
    {40.8116, -73.9465, 0.0100, 0.0080, 3, false},   // Harlem
    {40.6928, -73.9903, 0.0100, 0.0100, 4, false},   // Downtown Brooklyn
    {40.7081, -73.9571, 0.0080, 0.0100, 4, false},   // Williamsburg
    {40.6710, -73.9814, 0.0080, 0.0080, 2, false},   // Park Slope
    {40.7505, -73.9350, 0.0120, 0.0120, 3, false},   // Long Island City and Astoria
    {40.6413, -73.7781, 0.0040, 0.0060, 4, true},    // JFK
    {40.7769, -73.8740, 0.0030, 0.0050, 3, true},    // LaGuardia
    {40.6895, -74.1745, 0.0040, 0.0040, 1, true},    // Newark
}};

constexpr int kTotalWeight = [] {
  int total = 0;
  for (const Cluster& cluster : kClusters) total += cluster.weight;
  return total;
}();

// Dropoff weights by pickup cluster, a gravity model: the cluster's weight over
// (1 + distance / kGravityKm), in thousandths. Nearby places draw most trips; a trip from an
// airport never ends at the same airport. Distances on a flat map of NYC (exact arithmetic,
// so the table is the same everywhere).
constexpr double kGravityKm = 1.0;
constexpr double kKmPerDegreeLatitude = 111.2;
constexpr double kCosNycLatitude = 0.7581;  // km per degree of longitude / per degree of latitude

struct DropoffTable {
  std::array<std::array<int, kClusterCount>, kClusterCount> weight;
  std::array<int, kClusterCount> total;
};

const DropoffTable& Dropoffs() {
  static const DropoffTable table = [] {
    DropoffTable built{};
    for (size_t from = 0; from < kClusterCount; ++from) {
      for (size_t to = 0; to < kClusterCount; ++to) {
        const double dlat = kClusters[to].latitude - kClusters[from].latitude;
        const double dlon = (kClusters[to].longitude - kClusters[from].longitude) * kCosNycLatitude;
        const double km = kKmPerDegreeLatitude * std::sqrt(dlat * dlat + dlon * dlon);
        const bool same_airport = from == to && kClusters[from].airport;
        built.weight[from][to] =
            same_airport ? 0
                         : static_cast<int>(1000.0 * kClusters[to].weight / (1 + km / kGravityKm));
        built.total[from] += built.weight[from][to];
      }
    }
    return built;
  }();
  return table;
}

// Passenger counts 1-6, in thousandths (about the reference data's mix).
constexpr std::array<int, 6> kPassengerPerMille = {710, 144, 41, 19, 53, 33};

// Distributions computed from raw generator output, so that every standard library gives
// the same numbers (std:: distributions are implementation-defined).
class Draw {
 public:
  explicit Draw(std::mt19937_64& rng) : rng_(rng) {}

  // [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  double Uniform(double low, double high) { return low + (high - low) * Unit(); }
  // [0, n); the modulo bias is below n / 2^64.
  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Chance(double p) { return Unit() < p; }
  // Mean 0, deviation 1: a sum of four uniforms (Irwin-Hall), close to normal, bounded at
  // +-3.46 and exact in any IEEE arithmetic.
  double Normal() {
    const double sum = Unit() + Unit() + Unit() + Unit();
    return (sum - 2.0) * 1.7320508075688772;
  }

 private:
  std::mt19937_64& rng_;
};

size_t PickPickupCluster(Draw& draw) {
  int ticket = static_cast<int>(draw.Below(kTotalWeight));
  for (size_t i = 0; i < kClusterCount; ++i) {
    ticket -= kClusters[i].weight;
    if (ticket < 0) return i;
  }
  return 0;
}

size_t PickDropoffCluster(Draw& draw, size_t from) {
  const DropoffTable& table = Dropoffs();
  int ticket = static_cast<int>(draw.Below(static_cast<uint64_t>(table.total[from])));
  for (size_t i = 0; i < kClusterCount; ++i) {
    ticket -= table.weight[from][i];
    if (ticket < 0) return i;
  }
  return 0;
}

double RoundTo(double value, double scale) { return std::round(value * scale) / scale; }

// A point near the cluster, inside the bounding box, rounded to 6 decimals (~0.1 m).
void DrawPoint(Draw& draw, const Cluster& cluster, double& latitude, double& longitude) {
  latitude = std::clamp(cluster.latitude + draw.Normal() * cluster.sigma_latitude, kMinLatitude,
                        kMaxLatitude);
  longitude = std::clamp(cluster.longitude + draw.Normal() * cluster.sigma_longitude, kMinLongitude,
                         kMaxLongitude);
  latitude = RoundTo(latitude, 1e6);
  longitude = RoundTo(longitude, 1e6);
}

double Radians(double degrees) { return degrees * kPi / 180.0; }

// Haversine distance in km.
double GreatCircleKm(double latitude1, double longitude1, double latitude2, double longitude2) {
  const double sin_dlat = std::sin(Radians(latitude2 - latitude1) / 2);
  const double sin_dlon = std::sin(Radians(longitude2 - longitude1) / 2);
  const double a = sin_dlat * sin_dlat + std::cos(Radians(latitude1)) *
                                             std::cos(Radians(latitude2)) * sin_dlon * sin_dlon;
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

int DrawPassengers(Draw& draw) {
  int ticket = static_cast<int>(draw.Below(1000));
  for (size_t i = 0; i < kPassengerPerMille.size(); ++i) {
    ticket -= kPassengerPerMille[i];
    if (ticket < 0) return static_cast<int>(i) + 1;
  }
  return 1;
}

// "id" + the row number from 1, zero-padded to 7 digits.
void SetId(uint64_t row, std::string& id) {
  char digits[24];
  const char* end = std::to_chars(digits, digits + sizeof(digits), row + 1).ptr;
  const size_t length = static_cast<size_t>(end - digits);
  id.assign("id");
  if (length < 7) id.append(7 - length, '0');
  id.append(digits, length);
}

std::string NumberText(double value) {
  char buffer[32];
  char* end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
  return std::string(buffer, end);
}

// Byte range [begin, end) of column `column` of the row starting at `row_start` (generated
// rows are never quoted, so commas separate columns).
void FindField(const std::string& out, size_t row_start, size_t column, size_t& begin,
               size_t& end) {
  begin = row_start;
  for (size_t i = 0; i < column; ++i) begin = out.find(',', begin) + 1;
  end = out.find_first_of(",\n", begin);
  if (end == std::string::npos) end = out.size();
}

void ReplaceField(std::string& out, size_t row_start, size_t column, std::string_view text) {
  size_t begin = 0;
  size_t end = 0;
  FindField(out, row_start, column, begin, end);
  out.replace(begin, end - begin, text);
}

std::string FieldText(const std::string& out, size_t row_start, size_t column) {
  size_t begin = 0;
  size_t end = 0;
  FindField(out, row_start, column, begin, end);
  return out.substr(begin, end - begin);
}

template <size_t N>
std::string_view PickText(Draw& draw, const std::array<std::string_view, N>& texts) {
  return texts[draw.Below(N)];
}

void CorruptNumber(Draw& draw, size_t row_start, std::string& out) {
  // (column, text): vendor_id, passenger_count, pickup_latitude, gc_distance, trip_duration.
  static constexpr std::array<std::pair<size_t, std::string_view>, 5> kBadNumbers = {
      {{1, "2.0"}, {4, "one"}, {6, "40.7.5"}, {10, "1.2km"}, {11, "12m"}}};
  const auto& [column, text] = kBadNumbers[draw.Below(kBadNumbers.size())];
  ReplaceField(out, row_start, column, text);
}

void CorruptCoordinate(Draw& draw, const Trip& trip, size_t row_start, std::string& out) {
  const size_t column = 5 + draw.Below(4);  // pickup/dropoff longitude/latitude
  const double values[4] = {trip.pickup_longitude, trip.pickup_latitude, trip.dropoff_longitude,
                            trip.dropoff_latitude};
  const bool latitude = column == 6 || column == 8;
  const double bad = RoundTo(values[column - 5] + (latitude ? 100.0 : -200.0), 1e6);
  ReplaceField(out, row_start, column, NumberText(bad));
}

// A stray quote, or text after a closing quote. Never an unterminated quote: RFC 4180
// readers other than ParseTripCsv would carry that field on into the following lines.
void CorruptQuoting(Draw& draw, const Trip& trip, size_t row_start, std::string& out) {
  const std::string& id = trip.id;
  if (draw.Chance(0.5)) {
    ReplaceField(out, row_start, 0, id.substr(0, 2) + "\"" + id.substr(2));
  } else {
    ReplaceField(out, row_start, 0, "\"" + id + "\"x");
  }
}

}  // namespace

std::string_view BadRowKindName(BadRowKind kind) {
  switch (kind) {
    case BadRowKind::kNone:
      return "none";
    case BadRowKind::kWrongColumnCount:
      return "wrong_column_count";
    case BadRowKind::kEmptyId:
      return "empty_id";
    case BadRowKind::kBadNumber:
      return "bad_number";
    case BadRowKind::kBadDateTime:
      return "bad_date_time";
    case BadRowKind::kCoordinateOutOfRange:
      return "coordinate_out_of_range";
    case BadRowKind::kPassengerCountOutOfRange:
      return "passenger_count_out_of_range";
    case BadRowKind::kBadFlag:
      return "bad_flag";
    case BadRowKind::kDropoffBeforePickup:
      return "dropoff_before_pickup";
    case BadRowKind::kDurationMismatch:
      return "duration_mismatch";
    case BadRowKind::kBadQuoting:
      return "bad_quoting";
  }
  return "unknown";
}

Result<TripGenerator> TripGenerator::Create(const TripGeneratorOptions& options) {
  if (!(options.bad_row_share >= 0 && options.bad_row_share <= 1)) {
    return Fail(ErrorCode::kInvalidArgument, "bad row share must be between 0 and 1");
  }
  return TripGenerator(options);
}

TripGenerator::TripGenerator(const TripGeneratorOptions& options)
    : options_(options), rng_(options.seed) {}

void TripGenerator::DrawTrip(uint64_t row) {
  Draw draw(rng_);
  SetId(row, trip_.id);
  trip_.vendor_id = draw.Chance(0.535) ? 2 : 1;
  const uint64_t planned = std::max<uint64_t>(options_.rows, 1);
  trip_.pickup_unix_s = kTripsStartUnixS + static_cast<int64_t>(row * kPickupWindowS / planned) +
                        static_cast<int64_t>(draw.Below(180));
  trip_.passenger_count = DrawPassengers(draw);

  const size_t from = PickPickupCluster(draw);
  const size_t to = PickDropoffCluster(draw, from);
  DrawPoint(draw, kClusters[from], trip_.pickup_latitude, trip_.pickup_longitude);
  DrawPoint(draw, kClusters[to], trip_.dropoff_latitude, trip_.dropoff_longitude);
  trip_.store_and_fwd = draw.Chance(0.006);

  const double gc_km = GreatCircleKm(trip_.pickup_latitude, trip_.pickup_longitude,
                                     trip_.dropoff_latitude, trip_.dropoff_longitude);
  trip_.gc_distance_km = RoundTo(gc_km, 1e3);
  // Streets add a third or so to the straight line; longer trips reach faster roads.
  const double road_km = std::max(0.2, gc_km * draw.Uniform(1.15, 1.45));
  const double speed_kmh = std::min(55.0, draw.Uniform(11.0, 20.0) + 3.0 * std::sqrt(road_km));
  trip_.trip_duration_s =
      std::llround(road_km / speed_kmh * 3600.0) + 30 + static_cast<int64_t>(draw.Below(120));
  trip_.dropoff_unix_s = trip_.pickup_unix_s + trip_.trip_duration_s;

  // The route estimate: about the same road distance, a somewhat faster drive.
  trip_.google_distance_km.reset();
  trip_.google_duration_s.reset();
  if (!draw.Chance(0.02)) {
    const double google_km = RoundTo(road_km * draw.Uniform(0.92, 1.05), 1e2);
    trip_.google_distance_km = google_km;
    trip_.google_duration_s =
        std::llround(google_km / (speed_kmh * draw.Uniform(1.0, 1.3)) * 3600.0) + 30;
  }
}

BadRowKind TripGenerator::AppendRow(std::string& out) {
  const uint64_t row = next_row_++;
  DrawTrip(row);
  BadRowKind kind = BadRowKind::kNone;
  if (options_.bad_row_share > 0 && Draw(rng_).Chance(options_.bad_row_share)) {
    kind = static_cast<BadRowKind>(1 + Draw(rng_).Below(kBadRowKindCount));
  }
  const size_t row_start = out.size();
  AppendTripCsv(trip_, out);
  out.push_back('\n');
  if (kind != BadRowKind::kNone) Corrupt(kind, row_start, out);
  return kind;
}

void TripGenerator::Corrupt(BadRowKind kind, size_t row_start, std::string& out) {
  static constexpr std::array<std::string_view, 5> kBadDateTimes = {
      "2016-02-30 08:15:00", "2016-01-01T00:10:00", "01/01/2016 00:10:00", "2016-01-01 24:00:00",
      "2016-1-1 0:10:00"};
  static constexpr std::array<std::string_view, 4> kBadPassengers = {"10", "12", "-1", "99"};
  static constexpr std::array<std::string_view, 5> kBadFlags = {"y", "n", "X", "yes", "0"};
  Draw draw(rng_);
  out.pop_back();  // the line break, put back below
  switch (kind) {
    case BadRowKind::kNone:
      break;
    case BadRowKind::kWrongColumnCount:
      if (draw.Chance(0.5)) {
        out.resize(out.rfind(','));
      } else {
        out.append(",N");
      }
      break;
    case BadRowKind::kEmptyId:
      ReplaceField(out, row_start, 0, "");
      break;
    case BadRowKind::kBadNumber:
      CorruptNumber(draw, row_start, out);
      break;
    case BadRowKind::kBadDateTime:
      ReplaceField(out, row_start, 2 + draw.Below(2), PickText(draw, kBadDateTimes));
      break;
    case BadRowKind::kCoordinateOutOfRange:
      CorruptCoordinate(draw, trip_, row_start, out);
      break;
    case BadRowKind::kPassengerCountOutOfRange:
      ReplaceField(out, row_start, 4, PickText(draw, kBadPassengers));
      break;
    case BadRowKind::kBadFlag:
      ReplaceField(out, row_start, 9, PickText(draw, kBadFlags));
      break;
    case BadRowKind::kDropoffBeforePickup: {
      const std::string pickup = FieldText(out, row_start, 2);
      ReplaceField(out, row_start, 2, FieldText(out, row_start, 3));
      ReplaceField(out, row_start, 3, pickup);
      break;
    }
    case BadRowKind::kDurationMismatch:
      ReplaceField(
          out, row_start, 11,
          std::to_string(trip_.trip_duration_s + 1 + static_cast<int64_t>(draw.Below(600))));
      break;
    case BadRowKind::kBadQuoting:
      CorruptQuoting(draw, trip_, row_start, out);
      break;
  }
  out.push_back('\n');
}

Result<GeneratedTrips> GenerateTrips(uint64_t rows, uint64_t seed, double bad_row_share,
                                     std::ostream& out) {
  auto generator = TripGenerator::Create({rows, seed, bad_row_share});
  if (!generator) return Fail(std::move(generator.error()));
  GeneratedTrips written;
  std::string chunk;
  chunk.reserve(kOutputChunkBytes + 4096);
  chunk.append(kTripCsvHeader);
  chunk.push_back('\n');
  const auto flush = [&] {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    written.bytes += chunk.size();
    chunk.clear();
    return static_cast<bool>(out);
  };
  for (uint64_t row = 0; row < rows; ++row) {
    if (generator->AppendRow(chunk) != BadRowKind::kNone) ++written.bad_rows;
    if (chunk.size() >= kOutputChunkBytes && !flush()) break;
  }
  if (!out || !flush() || !out.flush()) {
    return Fail(ErrorCode::kUnavailable, "cannot write the trips: the output stream failed");
  }
  written.rows = rows;
  return written;
}

}  // namespace sluice::taxi
