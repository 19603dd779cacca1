#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "common/result.h"
#include "http/front_door.h"
#include "http/metrics.h"
#include "http/server_options.h"

namespace sluice::http {

class Connection;

// The HTTP/1.1 listener and its I/O threads. Open() binds; Run() serves on the calling
// thread plus options.threads - 1 more until Stop() has drained in-flight requests. Each
// thread runs an io_context of its own, and each connection lives on one of them (taken in
// turn): a request's work and its completion then stay on one thread, and no thread wakes
// another to hand over ready sockets. Borrows the front door and metrics, which must
// outlive it.
class HttpServer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> Open(const ServerOptions& options,
                                                                FrontDoor& front_door,
                                                                Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  // The first I/O thread's context (the listener's): for signals and other server-wide work.
  boost::asio::io_context& io_context() { return *contexts_.front(); }

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
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;  // one per I/O thread
  std::vector<WorkGuard> idle_guards_;  // keep contexts without connections running
  size_t next_context_ = 0;             // on the listener's thread: the next connection's
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::mutex connections_mutex_;
  std::map<const Connection*, std::weak_ptr<Connection>> connections_;  // guarded
};

}  // namespace sluice::http
