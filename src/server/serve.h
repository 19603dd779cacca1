#pragma once

#include "server/config.h"

namespace sluice::server {

// Runs `sluice serve` in the foreground until SIGTERM or SIGINT, then drains in-flight
// requests and returns the process exit code (0 on a clean stop).
int Serve(const ServerConfig& config);

}  // namespace sluice::server
