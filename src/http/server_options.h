#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice::http {

// Listener and connection settings of the HTTP server.
struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4567;  // 0 picks a free port; HttpServer::port() tells which
  unsigned threads = 0;  // I/O threads; 0 means one per core
  size_t max_body_bytes = 32 << 20;
  uint32_t max_header_bytes = 64 << 10;
  // Time to receive a whole request once its first byte arrived.
  std::chrono::milliseconds read_timeout{30'000};
  // Time a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  // How long a shutdown waits for in-flight requests before it stops anyway.
  std::chrono::milliseconds shutdown_grace{30'000};
};

}  // namespace sluice::http
