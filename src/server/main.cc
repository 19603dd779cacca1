// The `sluice` command: `serve`, `demo`, `version`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "query/duckdb_library.h"
#include "server/config.h"
#include "server/serve.h"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice: a real-time streaming data platform that speaks the AWS APIs"};
  app.require_subcommand(1);

  ServeFlags serve_flags;
  CLI::App* serve = app.add_subcommand("serve", "run the server in the foreground");
  AddServeFlags(*serve, serve_flags);
  CLI::App* demo = app.add_subcommand(
      "demo", "run the server with the taxi demo pipeline (creates the 'taxi-trips' stream)");
  AddServeFlags(*demo, serve_flags);
  CLI::App* version = app.add_subcommand("version", "print sluice's and DuckDB's versions");

  CLI11_PARSE(app, argc, argv);

  if (version->parsed()) {
    std::printf("sluice %s\nduckdb %s\n", SLUICE_VERSION,
                std::string(sluice::query::DuckDbVersion()).c_str());
    return 0;
  }
  auto config = BuildConfig(serve_flags);
  if (!config) {
    std::fprintf(stderr, "sluice: %s\n", config.error().message.c_str());
    return 2;
  }
  config->create_demo_stream = demo->parsed();
  return sluice::server::Serve(*config);
}
