// The `sluice` command: `serve`, `demo`, `gen-trips`, `produce`, `version`.
#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/malloc_policy.h"
#include "query/duckdb_library.h"
#include "server/config.h"
#include "server/produce_command.h"
#include "server/serve.h"
#include "taxi/trip_file.h"

namespace {

using sluice::server::ServerConfig;

struct ServeFlags {
  std::string config_file;
  std::string listen;
  std::string data_dir;
  std::string region;
  std::string log_level;
  std::optional<unsigned> threads;
  std::optional<size_t> max_body_bytes;
};

void AddServeFlags(CLI::App& serve, ServeFlags& flags) {
  serve.add_option("--config", flags.config_file, "YAML config file")->check(CLI::ExistingFile);
  serve.add_option("--listen", flags.listen, "HOST:PORT to listen on (default 127.0.0.1:4567)");
  serve.add_option("--data-dir", flags.data_dir, "data folder (default ./sluice-data)");
  serve.add_option("--region", flags.region, "AWS region this server is (default us-east-1)");
  serve
      .add_option("--log-level", flags.log_level,
                  "trace, debug, info, warn, error or off (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  serve.add_option("--threads", flags.threads, "I/O threads (default: one per core)");
  serve.add_option("--max-body-bytes", flags.max_body_bytes, "largest request body accepted");
}

// Defaults, then the config file, then the flags.
sluice::Result<ServerConfig> BuildConfig(const ServeFlags& flags) {
  ServerConfig config;
  if (!flags.config_file.empty()) {
    if (auto ok = sluice::server::ApplyConfigFile(flags.config_file, config); !ok) {
      return sluice::Fail(ok.error());
    }
  }
  if (!flags.listen.empty()) {
    if (auto ok = sluice::server::ParseListenAddress(flags.listen, config.http); !ok) {
      return sluice::Fail(ok.error());
    }
  }
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (!flags.region.empty()) config.region = flags.region;
  if (!flags.log_level.empty()) config.log_level = flags.log_level;
  if (flags.threads) config.http.threads = *flags.threads;
  if (flags.max_body_bytes) config.http.max_body_bytes = *flags.max_body_bytes;
  return config;
}

struct GenTripsFlags {
  uint64_t rows = 0;
  uint64_t seed = 0;
  std::string out;
  double bad_share = 0.01;
};

// A decimal uint64_t. CLI11 alone would wrap "-5" and saturate overflowing numbers.
CLI::Validator Unsigned64() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size()) return {};
        return "'" + text + "' is not an integer from 0 to 18446744073709551615";
      },
      "UINT64");
}

void AddGenTripsFlags(CLI::App& gen_trips, GenTripsFlags& flags) {
  gen_trips.add_option("--rows", flags.rows, "data rows to write")->required()->check(Unsigned64());
  gen_trips.add_option("--seed", flags.seed, "generator seed: same seed, same bytes")
      ->required()
      ->check(Unsigned64());
  gen_trips.add_option("--out", flags.out, "CSV file to write (replaced atomically)")->required();
  gen_trips.add_option("--bad-share", flags.bad_share, "share of malformed rows (default 0.01)")
      ->check(CLI::Range(0.0, 1.0));
}

// Writes the file and prints one summary line (docs/formats/taxi-trips.md).
int GenTrips(const GenTripsFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  auto written = sluice::taxi::WriteTripsFile(flags.out, flags.rows, flags.seed, flags.bad_share);
  if (!written) {
    std::fprintf(stderr, "sluice: %s\n", written.error().message.c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("gen-trips: wrote %llu rows (%llu malformed) to %s: %llu bytes in %.2f s\n",
              static_cast<unsigned long long>(written->rows),
              static_cast<unsigned long long>(written->bad_rows), flags.out.c_str(),
              static_cast<unsigned long long>(written->bytes), seconds);
  return 0;
}

void AddProduceFlags(CLI::App& produce, sluice::server::ProduceOptions& options) {
  produce.add_option("--endpoint", options.endpoint, "Kinesis endpoint URL (http or https)")
      ->required();
  produce.add_option("--stream", options.stream, "stream to write")->required();
  produce.add_option("file", options.file, "taxi-trip CSV (docs/formats/taxi-trips.md)")
      ->required();
  produce.add_option("--region", options.region,
                     "signing region (default: AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config, "
                     "else us-east-1)");
  produce.add_option("--rejects", options.rejects, "where malformed rows go (<file>.rejects)");
  produce.add_option("--threads", options.threads, "parsing threads (default: one per core)");
  produce
      .add_option("--rate-limit", options.rate_limit,
                  "% of a shard's write limits sent to one shard (KPL RateLimit, 150)")
      ->check(CLI::PositiveNumber);
  produce.add_flag("!--no-aggregation", options.aggregation, "one Kinesis record per trip");
  produce.add_flag("!--unsigned", options.sign, "send unsigned requests (an open sluice)");
  produce.add_flag("!--no-progress", options.progress, "no progress line on stderr");
  produce.footer(
      "Exit status: 0 every row put; 1 a record finally failed or the upload could not run;\n"
      "2 the producer could not be set up (endpoint, credentials); 3 every well-formed row\n"
      "put, malformed rows in the rejects file; 105-109 bad command-line options.");
}

}  // namespace

int main(int argc, char** argv) {
  (void)sluice::KeepFreedMemoryForReuse();  // before any thread starts
  CLI::App app{"sluice: a real-time streaming data platform that speaks the AWS APIs"};
  app.require_subcommand(1);

  ServeFlags serve_flags;
  CLI::App* serve = app.add_subcommand("serve", "run the server in the foreground");
  AddServeFlags(*serve, serve_flags);
  CLI::App* demo = app.add_subcommand(
      "demo", "run the server with the taxi demo pipeline (creates the 'taxi-trips' stream)");
  AddServeFlags(*demo, serve_flags);
  GenTripsFlags gen_trips_flags;
  CLI::App* gen_trips = app.add_subcommand(
      "gen-trips", "write a reproducible CSV of synthetic NYC taxi trips (some rows malformed)");
  AddGenTripsFlags(*gen_trips, gen_trips_flags);
  sluice::server::ProduceOptions produce_options;
  CLI::App* produce = app.add_subcommand(
      "produce", "stream the taxi trips of a CSV file into a Kinesis stream (JSON per trip)");
  AddProduceFlags(*produce, produce_options);
  CLI::App* version = app.add_subcommand("version", "print sluice's and DuckDB's versions");

  CLI11_PARSE(app, argc, argv);

  if (version->parsed()) {
    std::printf("sluice %s\nduckdb %s\n", SLUICE_VERSION,
                std::string(sluice::query::DuckDbVersion()).c_str());
    return 0;
  }
  if (gen_trips->parsed()) return GenTrips(gen_trips_flags);
  if (produce->parsed()) return sluice::server::RunProduce(produce_options);
  auto config = BuildConfig(serve_flags);
  if (!config) {
    std::fprintf(stderr, "sluice: %s\n", config.error().message.c_str());
    return 2;
  }
  config->create_demo_stream = demo->parsed();
  return sluice::server::Serve(*config);
}
