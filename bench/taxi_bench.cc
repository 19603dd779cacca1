// taxi_bench: the taxi trip formats on one core (src/taxi).
//
// Workloads, in one run, each repeated over the same rows for --seconds:
//   generate      GenerateTrips (1% malformed rows) into a stream that discards the bytes
//   parse         ParseTripCsv of good rows into one reused Trip
//   encode        TripJsonEncoder::Append of parsed trips into a reused buffer
//   parse_encode  both, row by row: what a CSV-to-JSON producer does per record
//   reject        ParseTripCsv of malformed rows (the error path, one message each)
// Prints its figures, then one line of key=value pairs.
//
// Usage: taxi_bench [--rows N] [--seconds S] [--seed S] [--only WORKLOAD]
//   --rows     rows held in memory for the parse and encode workloads (default 1000000)
//   --seconds  length of each timed workload (default 2)
//   --seed     generator seed (default 1)
//   --only     run just that workload (e.g. encode), for profiling

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "taxi/trip_csv.h"
#include "taxi/trip_generator.h"
#include "taxi/trip_json.h"

namespace sluice::taxi {
namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  uint64_t rows = 1000000;
  double seconds = 2.0;
  uint64_t seed = 1;
  std::string only;  // --only: run just this workload
};

struct Rate {
  double rows_per_second = 0;
  double bytes_per_row = 0;  // output bytes per row, where there is output
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "taxi_bench: %s\n", what.c_str());
  std::exit(1);
}

// Counts what is written and keeps nothing.
class DiscardBuf : public std::streambuf {
 public:
  uint64_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize size) override {
    bytes += static_cast<uint64_t>(size);
    return size;
  }
  int_type overflow(int_type c) override {
    ++bytes;
    return traits_type::not_eof(c);
  }
};

// Calls `pass` (which handles `rows_per_pass` rows) until `seconds` have gone by.
template <typename Pass>
double RowsPerSecond(double seconds, uint64_t rows_per_pass, Pass pass) {
  const Clock::time_point start = Clock::now();
  uint64_t rows = 0;
  double elapsed = 0;
  do {
    pass();
    rows += rows_per_pass;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(rows) / elapsed;
}

// Rows of one generated file, without the header, split into lines.
struct Rows {
  std::string text;
  std::vector<std::string_view> lines;
};

Rows Generate(uint64_t rows, uint64_t seed, double bad_share) {
  std::ostringstream out;
  if (auto written = GenerateTrips(rows, seed, bad_share, out); !written) {
    Die(written.error().message);
  }
  Rows result{out.str(), {}};
  std::string_view text = result.text;
  text.remove_prefix(text.find('\n') + 1);
  while (!text.empty()) {
    const size_t end = text.find('\n');
    result.lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return result;
}

Rate BenchGenerate(const Config& config) {
  DiscardBuf discard;
  std::ostream out(&discard);
  const double rate = RowsPerSecond(config.seconds, config.rows, [&] {
    if (!GenerateTrips(config.rows, config.seed, 0.01, out)) Die("generate failed");
  });
  return {rate, 0};
}

Rate BenchParse(const Config& config, const Rows& rows) {
  Trip trip;
  uint64_t checksum = 0;
  const double rate = RowsPerSecond(config.seconds, rows.lines.size(), [&] {
    for (std::string_view line : rows.lines) {
      if (!ParseTripCsv(line, trip)) Die("a good row was rejected");
      checksum += static_cast<uint64_t>(trip.passenger_count);
    }
  });
  if (checksum == 42) std::printf(" ");  // keeps the work from being optimised away
  return {rate, 0};
}

Rate BenchEncode(const Config& config, const Rows& rows) {
  std::vector<Trip> trips(rows.lines.size());
  for (size_t i = 0; i < trips.size(); ++i) {
    if (!ParseTripCsv(rows.lines[i], trips[i])) Die("a good row was rejected");
  }
  const TripJsonEncoder encoder("trips.csv");
  std::string out;
  uint64_t bytes = 0;
  const double rate = RowsPerSecond(config.seconds, trips.size(), [&] {
    for (const Trip& trip : trips) {
      out.clear();
      encoder.Append(trip, out);
      bytes += out.size();
    }
  });
  return {rate, static_cast<double>(out.size())};
}

// Batches of 500 records, as a producer fills a PutRecords request.
Rate BenchParseEncode(const Config& config, const Rows& rows) {
  const TripJsonEncoder encoder("trips.csv");
  Trip trip;
  std::string batch;
  uint64_t bytes = 0;
  uint64_t rows_encoded = 0;
  const double rate = RowsPerSecond(config.seconds, rows.lines.size(), [&] {
    size_t in_batch = 0;
    for (std::string_view line : rows.lines) {
      if (!ParseTripCsv(line, trip)) Die("a good row was rejected");
      encoder.Append(trip, batch);
      if (++in_batch == 500) {
        bytes += batch.size();
        batch.clear();
        in_batch = 0;
      }
    }
    bytes += batch.size();
    batch.clear();
    rows_encoded += rows.lines.size();
  });
  return {rate, static_cast<double>(bytes) / static_cast<double>(rows_encoded)};
}

Rate BenchReject(const Config& config, const Rows& bad_rows) {
  Trip trip;
  uint64_t message_bytes = 0;
  const double rate = RowsPerSecond(config.seconds, bad_rows.lines.size(), [&] {
    for (std::string_view line : bad_rows.lines) {
      auto ok = ParseTripCsv(line, trip);
      if (ok) Die("a bad row was accepted");
      message_bytes += ok.error().message.size();
    }
  });
  if (message_bytes == 42) std::printf(" ");
  return {rate, 0};
}

Config ParseArgs(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--rows") {
      config.rows = std::stoull(value());
    } else if (arg == "--seconds") {
      config.seconds = std::stod(value());
    } else if (arg == "--seed") {
      config.seed = std::stoull(value());
    } else if (arg == "--only") {
      config.only = value();
    } else {
      Die("unknown argument " + arg + " (see the top of bench/taxi_bench.cc)");
    }
  }
  if (config.rows == 0) Die("--rows must be positive");
  return config;
}

int Run(int argc, char** argv) {
  const Config config = ParseArgs(argc, argv);
  const Rows good = Generate(config.rows, config.seed, 0);
  const Rows bad = Generate(config.rows / 10 + 1, config.seed, 1);
  const double csv_bytes_per_row =
      static_cast<double>(good.text.size() - kTripCsvHeader.size() - 1) /
      static_cast<double>(good.lines.size());
  std::printf("taxi_bench: %zu rows in memory (%.1f MB of CSV, %.1f B/row), %.1f s per workload\n",
              good.lines.size(), static_cast<double>(good.text.size()) / 1e6, csv_bytes_per_row,
              config.seconds);

  std::map<std::string, std::string> summary;
  auto put = [&](const std::string& key, double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof(text), "%.*f", decimals, value);
    summary[key] = text;
  };
  auto print = [&](const char* label, const std::string& key, Rate rate) {
    std::printf("%-14s %8.3f M rows/s %8.1f MB/s of CSV", label, rate.rows_per_second / 1e6,
                rate.rows_per_second * csv_bytes_per_row / 1e6);
    if (rate.bytes_per_row > 0) std::printf("   %.1f B of JSON/row", rate.bytes_per_row);
    std::printf("\n");
    put(key + "_rows_s", rate.rows_per_second, 0);
  };

  auto wanted = [&](const std::string& name) { return config.only.empty() || config.only == name; };
  if (wanted("generate")) print("generate", "generate", BenchGenerate(config));
  if (wanted("parse")) print("parse", "parse", BenchParse(config, good));
  Rate encode;
  if (wanted("encode")) {
    encode = BenchEncode(config, good);
    print("encode", "encode", encode);
  }
  if (wanted("parse_encode")) print("parse+encode", "parse_encode", BenchParseEncode(config, good));
  if (wanted("reject")) print("reject", "reject", BenchReject(config, bad));
  put("csv_bytes_per_row", csv_bytes_per_row, 1);
  if (encode.bytes_per_row > 0) put("json_bytes_per_row", encode.bytes_per_row, 1);

  std::string line = "bench=taxi_bench";
  for (const auto& [key, value] : summary) line += " " + key + "=" + value;
  std::printf("%s\n", line.c_str());
  return 0;
}

}  // namespace
}  // namespace sluice::taxi

int main(int argc, char** argv) { return sluice::taxi::Run(argc, argv); }
