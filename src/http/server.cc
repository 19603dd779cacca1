#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>
#include <vector>

#include "common/thread_name.h"
#include "http/connection.h"

namespace sluice::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kDrainPoll{10};
constexpr std::chrono::milliseconds kAcceptBackoff{50};

unsigned ThreadCount(unsigned configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<std::unique_ptr<asio::io_context>> MakeContexts(unsigned count) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (unsigned i = 0; i < count; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
  return contexts;
}

}  // namespace

HttpServer::HttpServer(const ServerOptions& options, FrontDoor& front_door, Metrics& metrics)
    : options_(options),
      front_door_(front_door),
      metrics_(metrics),
      contexts_(MakeContexts(ThreadCount(options.threads))),
      acceptor_(*contexts_.front()) {
  for (auto& context : contexts_) idle_guards_.emplace_back(context->get_executor());
}

HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Open(const ServerOptions& options,
                                                     FrontDoor& front_door, Metrics& metrics) {
  std::unique_ptr<HttpServer> server(new HttpServer(options, front_door, metrics));
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument, "invalid listen address '" + options.host + "'");
  }
  tcp::endpoint endpoint(address, options.port);
  tcp::acceptor& acceptor = server->acceptor_;
  if (acceptor.open(endpoint.protocol(), ec); !ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable, "cannot listen on " + options.host + ":" +
                                             std::to_string(options.port) + ": " + ec.message());
  }
  server->port_ = acceptor.local_endpoint().port();
  return server;
}

void HttpServer::Run() {
  asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached);
  std::vector<std::thread> workers;
  workers.reserve(contexts_.size() - 1);
  for (size_t i = 1; i < contexts_.size(); ++i) {
    workers.emplace_back([context = contexts_[i].get()] {
      NameThisThread("sluice-io");
      context->run();
    });
  }
  contexts_.front()->run();
  for (std::thread& worker : workers) worker.join();
}

void HttpServer::Stop() {
  asio::post(acceptor_.get_executor(), [this] {
    if (!acceptor_.is_open()) return;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::vector<std::shared_ptr<Connection>> open;
    {
      std::lock_guard lock(connections_mutex_);
      for (auto& [key, weak] : connections_) {
        if (auto connection = weak.lock()) open.push_back(std::move(connection));
      }
    }
    for (auto& connection : open) connection->Shutdown();
    asio::co_spawn(*contexts_.front(), Drain(), asio::detached);
  });
}

asio::awaitable<void> HttpServer::Accept() {
  asio::steady_timer backoff(acceptor_.get_executor());
  while (acceptor_.is_open()) {
    asio::io_context& context = *contexts_[next_context_];
    auto [ec, socket] = co_await acceptor_.async_accept(context, kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Typically EMFILE: back off instead of spinning; existing connections go on.
      spdlog::warn("accept failed: {}", ec.message());
      backoff.expires_after(kAcceptBackoff);
      co_await backoff.async_wait(kNoThrow);
      continue;
    }
    next_context_ = (next_context_ + 1) % contexts_.size();
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto connection =
        std::make_shared<Connection>(std::move(socket), options_, front_door_, metrics_);
    Track(connection);
    asio::co_spawn(
        connection->executor(),
        [this, connection]() -> asio::awaitable<void> {
          try {
            co_await connection->Run();
          } catch (const std::exception& e) {
            spdlog::error("connection ended by an unexpected exception: {}", e.what());
          }
          Untrack(connection.get());
        },
        asio::detached);
  }
}

asio::awaitable<void> HttpServer::Drain() {
  asio::steady_timer timer(*contexts_.front());
  const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  while (tracked_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(kDrainPoll);
    co_await timer.async_wait(kNoThrow);
  }
  if (size_t left = tracked_connections(); left > 0) {
    spdlog::warn("shutdown grace over with {} connections still busy", left);
  }
  for (WorkGuard& guard : idle_guards_) guard.reset();
  for (auto& context : contexts_) context->stop();
}

void HttpServer::Track(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mutex_);
  connections_.emplace(connection.get(), connection);
}

void HttpServer::Untrack(const Connection* connection) {
  std::lock_guard lock(connections_mutex_);
  connections_.erase(connection);
}

size_t HttpServer::tracked_connections() {
  std::lock_guard lock(connections_mutex_);
  return connections_.size();
}

}  // namespace sluice::http
