#include "server/serve.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "auth/credential_store.h"
#include "auth/sigv4_verifier.h"
#include "http/front_door.h"
#include "http/kinesis_api.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/stream_metrics.h"
#include "protocol/json_parser_pool.h"
#include "server/data_dir_lock.h"
#include "stream/stream_manager.h"

namespace sluice::server {

namespace {

Result<std::vector<auth::AccessKey>> CollectAccessKeys(const ServerConfig& config) {
  auto from_file = auth::CredentialStore::ReadKeyFile(config.data_dir / kAccessKeyFileName);
  if (!from_file) return from_file;
  std::vector<auth::AccessKey> keys = config.access_keys;
  keys.insert(keys.end(), from_file->begin(), from_file->end());
  return keys;
}

Status PrepareDataDir(const std::filesystem::path& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create data folder '" + data_dir.string() + "': " + error.message());
  }
  return Ok();
}

// Creates the demo stream unless it exists already (from an earlier run).
// Every open shard holds a few files open; on-demand streams can have hundreds of shards.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::warn("cannot raise the open file limit");
}

void EnsureDemoStream(stream::StreamManager& streams) {
  if (streams.Describe(kDemoStreamName)) return;
  stream::CreateStreamParams params;
  params.name = kDemoStreamName;
  params.mode = stream::StreamMode::kOnDemand;
  if (auto ok = streams.CreateStream(params); !ok) {
    spdlog::error("creating the demo stream: {}", ok.error().message);
    return;
  }
  spdlog::info("demo: created the ON_DEMAND stream '{}'", kDemoStreamName);
}

void AnnounceOpenMode() {
  spdlog::warn("**************************************************************************");
  spdlog::warn("* sluice is running OPEN: no access keys are configured, so requests are *");
  spdlog::warn("* accepted without checking their SigV4 signature. Configure access_keys *");
  spdlog::warn("* (docs/configuration.md) before exposing this server to anyone.          *");
  spdlog::warn("**************************************************************************");
}

}  // namespace

int Serve(const ServerConfig& config) {
  const auto started = std::chrono::steady_clock::now();
  // Logs go to stderr; stdout carries only the "listening on" line that scripts wait for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("sluice"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  if (auto ok = PrepareDataDir(config.data_dir); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  auto lock = DataDirLock::Acquire(config.data_dir);
  if (!lock) {
    spdlog::error("{}", lock.error().message);
    return 1;
  }
  auto keys = CollectAccessKeys(config);
  if (!keys) {
    spdlog::error("{}", keys.error().message);
    return 1;
  }
  const auth::CredentialStore credentials(*keys);
  const auth::SigV4Verifier verifier(credentials, config.region);
  if (credentials.empty()) AnnounceOpenMode();

  stream::StreamManagerOptions stream_options;
  stream_options.data_dir = config.data_dir;
  stream_options.region = config.region;
  stream_options.account_id = config.account_id;
  stream_options.state_change_delay_ms = config.stream_state_change_delay_ms;
  stream_options.shard_limit = config.shard_limit;
  stream_options.durability = config.durability;
  stream_options.iterator_lifetime_ms = config.shard_iterator_lifetime_ms;
  stream_options.enforce_limits = config.enforce_limits;
  stream_options.on_demand = config.on_demand;
  RaiseOpenFileLimit();
  auto streams = stream::StreamManager::Open(stream_options);
  if (!streams) {
    spdlog::error("{}", streams.error().message);
    return 1;
  }

  if (config.create_demo_stream) EnsureDemoStream(**streams);

  http::Metrics metrics;
  metrics.AddCollector([&s = **streams](std::string& out) { http::RenderStreamMetrics(s, out); });
  http::Router router(metrics);
  router.AddStandardServices();
  http::KinesisApi kinesis(**streams);
  kinesis.Register(router);
  protocol::JsonParserPool parsers;
  http::FrontDoor front_door(router, metrics, parsers, credentials.empty() ? nullptr : &verifier);
  auto server = http::HttpServer::Open(config.http, front_door, metrics);
  if (!server) {
    spdlog::error("{}", server.error().message);
    return 1;
  }

  boost::asio::signal_set signals((*server)->io_context(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    (*server)->Stop();
  });

  const auto startup = std::chrono::steady_clock::now() - started;
  spdlog::info(
      "sluice listening on http://{}:{} data_dir={} region={} access_keys={} "
      "startup_ms={:.1f}",
      config.http.host, (*server)->port(), config.data_dir.string(), config.region,
      credentials.size(), std::chrono::duration<double, std::milli>(startup).count());
  std::printf("sluice: listening on http://%s:%u\n", config.http.host.c_str(),
              static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);

  (*server)->Run();
  // Close the shard logs while the (stopped) I/O context still exists: completions of
  // appends still queued (only possible once the shutdown grace ran out) post to it.
  streams->reset();
  spdlog::info("sluice stopped");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace sluice::server
