#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>
#include <type_traits>

namespace sluice::server {

namespace {

tl::unexpected<Error> ConfigError(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "config: " + std::move(message));
}

Status CheckKnownKeys(const YAML::Node& node, const std::set<std::string>& known,
                      const std::string& where) {
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (known.count(key) == 0) return ConfigError("unknown key '" + where + key + "'");
  }
  return Ok();
}

Status ApplyHttpSection(const YAML::Node& node, http::ServerOptions& options) {
  if (auto ok = CheckKnownKeys(node,
                               {"threads", "max_body_bytes", "max_header_bytes", "read_timeout_ms",
                                "idle_timeout_ms", "write_timeout_ms", "shutdown_grace_ms"},
                               "http.");
      !ok) {
    return ok;
  }
  if (node["threads"]) options.threads = node["threads"].as<unsigned>();
  if (node["max_body_bytes"]) options.max_body_bytes = node["max_body_bytes"].as<size_t>();
  if (node["max_header_bytes"]) options.max_header_bytes = node["max_header_bytes"].as<uint32_t>();
  auto millis = [&](const char* key, std::chrono::milliseconds& field) {
    if (node[key]) field = std::chrono::milliseconds(node[key].as<int64_t>());
  };
  millis("read_timeout_ms", options.read_timeout);
  millis("idle_timeout_ms", options.idle_timeout);
  millis("write_timeout_ms", options.write_timeout);
  millis("shutdown_grace_ms", options.shutdown_grace);
  return Ok();
}

Status ApplyOnDemandSection(const YAML::Node& node, stream::OnDemandOptions& options) {
  if (auto ok = CheckKnownKeys(
          node,
          {"shard_write_bytes_per_sec", "shard_write_records_per_sec", "window_ms", "interval_ms",
           "scale_down_cooldown_ms", "min_shards", "max_shards", "max_write_bytes_per_sec"},
          "kinesis.on_demand.");
      !ok) {
    return ok;
  }
  auto read = [&](const char* key, auto& field) {
    if (node[key]) field = node[key].as<std::remove_reference_t<decltype(field)>>();
  };
  read("shard_write_bytes_per_sec", options.shard_write_bytes_per_sec);
  read("shard_write_records_per_sec", options.shard_write_records_per_sec);
  read("window_ms", options.window_ms);
  read("interval_ms", options.interval_ms);
  read("scale_down_cooldown_ms", options.scale_down_cooldown_ms);
  read("min_shards", options.min_shards);
  read("max_shards", options.max_shards);
  read("max_write_bytes_per_sec", options.max_write_bytes_per_sec);
  if (options.interval_ms <= 0 || options.window_ms < options.interval_ms ||
      options.shard_write_bytes_per_sec <= 0 || options.shard_write_records_per_sec <= 0 ||
      options.max_write_bytes_per_sec <= 0 || options.min_shards < 1 ||
      options.max_shards < options.min_shards) {
    return ConfigError(
        "kinesis.on_demand: rates and interval_ms must be positive, window_ms at least "
        "interval_ms, and 1 <= min_shards <= max_shards");
  }
  return Ok();
}

Status ApplyKinesisSection(const YAML::Node& node, ServerConfig& config) {
  if (auto ok = CheckKnownKeys(node,
                               {"state_change_delay_ms", "shard_limit",
                                "shard_iterator_lifetime_ms", "enforce_limits", "on_demand"},
                               "kinesis.");
      !ok) {
    return ok;
  }
  if (node["shard_iterator_lifetime_ms"]) {
    config.shard_iterator_lifetime_ms = node["shard_iterator_lifetime_ms"].as<int64_t>();
  }
  if (node["state_change_delay_ms"]) {
    config.stream_state_change_delay_ms = node["state_change_delay_ms"].as<int64_t>();
  }
  if (node["shard_limit"]) config.shard_limit = node["shard_limit"].as<int64_t>();
  if (node["enforce_limits"]) config.enforce_limits = node["enforce_limits"].as<bool>();
  if (node["on_demand"]) return ApplyOnDemandSection(node["on_demand"], config.on_demand);
  return Ok();
}

Status ApplyStorageSection(const YAML::Node& node, ServerConfig& config) {
  if (auto ok = CheckKnownKeys(node, {"durability"}, "storage."); !ok) return ok;
  if (node["durability"]) {
    auto policy = ParseDurability(node["durability"].as<std::string>());
    if (!policy) return Fail(policy.error());
    config.durability = *policy;
  }
  return Ok();
}

Status ApplyScalars(const YAML::Node& root, ServerConfig& config) {
  if (root["listen"]) {
    if (auto ok = ParseListenAddress(root["listen"].as<std::string>(), config.http); !ok) {
      return ok;
    }
  }
  if (root["data_dir"]) config.data_dir = root["data_dir"].as<std::string>();
  if (root["region"]) config.region = root["region"].as<std::string>();
  if (root["account_id"]) config.account_id = root["account_id"].as<std::string>();
  if (root["log_level"]) config.log_level = root["log_level"].as<std::string>();
  return Ok();
}

Status ApplyRoot(const YAML::Node& root, ServerConfig& config) {
  if (auto ok = CheckKnownKeys(root,
                               {"listen", "data_dir", "region", "account_id", "log_level", "http",
                                "access_keys", "kinesis", "storage"},
                               "");
      !ok) {
    return ok;
  }
  if (auto ok = ApplyScalars(root, config); !ok) return ok;
  if (root["http"]) {
    if (auto ok = ApplyHttpSection(root["http"], config.http); !ok) return ok;
  }
  if (root["kinesis"]) {
    if (auto ok = ApplyKinesisSection(root["kinesis"], config); !ok) return ok;
  }
  if (root["storage"]) {
    if (auto ok = ApplyStorageSection(root["storage"], config); !ok) return ok;
  }
  if (root["access_keys"]) {
    auto keys = auth::CredentialStore::ParseKeyList(root["access_keys"], "config: access_keys");
    if (!keys) return Fail(keys.error());
    config.access_keys.insert(config.access_keys.end(), keys->begin(), keys->end());
  }
  return Ok();
}

}  // namespace

Result<storage::DurabilityPolicy> ParseDurability(std::string_view text) {
  if (text == "sync") return storage::DurabilityPolicy::kSync;
  if (text == "interval") return storage::DurabilityPolicy::kInterval;
  if (text == "none") return storage::DurabilityPolicy::kNone;
  return Fail(ErrorCode::kInvalidArgument,
              "config: durability must be sync, interval or none, not '" + std::string(text) + "'");
}

Status ParseListenAddress(std::string_view text, http::ServerOptions& options) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "listen address '" + std::string(text) + "' must be HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Fail(ErrorCode::kInvalidArgument,
                "listen address '" + std::string(text) + "' has an invalid port");
  }
  options.host = std::string(host);
  options.port = static_cast<uint16_t>(port);
  return Ok();
}

Status ApplyConfigFile(const std::filesystem::path& path, ServerConfig& config) {
  try {
    YAML::Node root = YAML::LoadFile(path.string());
    if (root.IsNull()) return Ok();
    if (!root.IsMap()) return ConfigError("the file must be a YAML map");
    return ApplyRoot(root, config);
  } catch (const YAML::Exception& e) {
    return ConfigError(path.filename().string() + ": " + e.what());
  }
}

}  // namespace sluice::server
