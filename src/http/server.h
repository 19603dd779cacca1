#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <memory>
#include <mutex>

#include "common/result.h"
#include "http/front_door.h"
#include "http/metrics.h"
#include "http/server_options.h"

namespace sluice::http {

class Connection;

// The HTTP/1.1 listener and its I/O threads. Open() binds; Run() serves on the calling
// thread plus options.threads - 1 more until Stop() has drained in-flight requests.
// Borrows the front door and metrics, which must outlive it.
class HttpServer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> Open(const ServerOptions& options,
                                                                FrontDoor& front_door,
                                                                Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  boost::asio::io_context& io_context() { return io_context_; }

  // Blocks until the server has stopped.
  void Run();
  // Thread-safe: stop accepting, let in-flight requests finish (up to the shutdown
  // grace), close idle connections, then end Run().
  void Stop();

 private:
  HttpServer(const ServerOptions& options, FrontDoor& front_door, Metrics& metrics);

  boost::asio::awaitable<void> Accept();
  boost::asio::awaitable<void> Drain();
  void Track(const std::shared_ptr<Connection>& connection);
  void Untrack(const Connection* connection);
  size_t tracked_connections();

  ServerOptions options_;
  FrontDoor& front_door_;
  Metrics& metrics_;
  boost::asio::io_context io_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::mutex connections_mutex_;
  std::map<const Connection*, std::weak_ptr<Connection>> connections_;  // guarded
};

}  // namespace sluice::http
