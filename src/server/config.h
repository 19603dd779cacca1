#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "auth/credential_store.h"
#include "common/result.h"
#include "http/server_options.h"
#include "storage/log_options.h"
#include "stream/on_demand_scaler.h"

namespace sluice::server {

// Everything `sluice serve` is configured with. Defaults are the embedded ones; a YAML
// file (docs/configuration.md) overrides them and command-line flags override both.
struct ServerConfig {
  http::ServerOptions http;
  std::filesystem::path data_dir = "./sluice-data";
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string log_level = "info";
  std::vector<auth::AccessKey> access_keys;
  // Kinesis streams.
  int64_t stream_state_change_delay_ms = 500;  // how long CREATING and DELETING last
  int64_t shard_limit = 10'000;
  int64_t shard_iterator_lifetime_ms = 300'000;
  // Throughput limits (provisioned shard quotas, on-demand ceilings); off for benchmarks.
  bool enforce_limits = true;
  stream::OnDemandOptions on_demand;
  storage::DurabilityPolicy durability = storage::DurabilityPolicy::kSync;
  // `sluice demo`: make sure the demo stream exists once the server is up.
  bool create_demo_stream = false;
};

// The stream `sluice demo` creates (ON_DEMAND) for the taxi pipeline.
inline constexpr const char* kDemoStreamName = "taxi-trips";

// Name of the optional access key file inside the data folder.
inline constexpr const char* kAccessKeyFileName = "access-keys.yaml";

// Parses "HOST:PORT" ("[::1]:4567" for IPv6) into the options' host and port.
[[nodiscard]] Status ParseListenAddress(std::string_view text, http::ServerOptions& options);

// "sync" | "interval" | "none".
[[nodiscard]] Result<storage::DurabilityPolicy> ParseDurability(std::string_view text);

// Applies a YAML config file on top of `config`. Unknown keys are an error, so a typo
// does not silently fall back to a default.
[[nodiscard]] Status ApplyConfigFile(const std::filesystem::path& path, ServerConfig& config);

}  // namespace sluice::server
