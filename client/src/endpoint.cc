#include "endpoint.h"

#include <charconv>

namespace sluice::client {

Result<Endpoint> Endpoint::Parse(std::string_view url) {
  Endpoint endpoint;
  auto invalid = [&url](std::string_view why) {
    return Fail(ErrorCode::kInvalidArgument,
                "endpoint '" + std::string(url) + "' is invalid: " + std::string(why));
  };
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    endpoint.tls = false;
    endpoint.port = 80;
    rest.remove_prefix(7);
  } else {
    return invalid("it must start with http:// or https://");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) endpoint.path = std::string(rest.substr(slash));
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unclosed '[' in the host");
    endpoint.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("unexpected text after the host");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return invalid("no host");
  const uint16_t default_port = endpoint.port;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return invalid("bad port");
    }
    endpoint.port = static_cast<uint16_t>(value);
  }
  const bool bracketed = endpoint.host.find(':') != std::string::npos;
  endpoint.host_header = bracketed ? "[" + endpoint.host + "]" : endpoint.host;
  if (endpoint.port != default_port) endpoint.host_header += ":" + std::to_string(endpoint.port);
  return endpoint;
}

std::string Endpoint::AwsKinesisUrl(std::string_view region) {
  std::string url = "https://kinesis." + std::string(region) + ".amazonaws.com";
  if (region.starts_with("cn-")) url += ".cn";
  return url;
}

}  // namespace sluice::client
