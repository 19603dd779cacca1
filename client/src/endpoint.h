#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sluice::client {

// Where requests go: parsed from "http[s]://host[:port][/path]".
struct Endpoint {
  bool tls = true;
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 443;
  std::string path = "/";
  std::string host_header;  // Host: "host" or "host:port" when the port is not the default

  // kInvalidArgument when `url` is not an http or https URL with a host.
  [[nodiscard]] static Result<Endpoint> Parse(std::string_view url);
  // The regional AWS Kinesis endpoint, https://kinesis.<region>.amazonaws.com.
  static std::string AwsKinesisUrl(std::string_view region);
};

}  // namespace sluice::client
