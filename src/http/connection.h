#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <optional>

#include "http/front_door.h"
#include "http/metrics.h"
#include "http/server_options.h"

namespace sluice::http {

// One client connection: reads requests one at a time (keep-alive), hands each to the
// FrontDoor and writes its response, enforcing the idle, read and write timeouts and the
// header and body limits. All of its work runs on the socket's executor: one I/O thread's
// io_context. Borrows the options, front door and metrics, which must outlive it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, const ServerOptions& options,
             FrontDoor& front_door, Metrics& metrics);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Serves the connection until the peer leaves, a timeout fires, or Shutdown().
  boost::asio::awaitable<void> Run();

  // Thread-safe. An idle connection closes now; a busy one after its current response.
  void Shutdown();

  // The connection's I/O thread's executor, on which Run() must be spawned.
  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  // Waits for the first byte of the next request; false when the connection should end.
  boost::asio::awaitable<bool> AwaitRequest();
  // Reads one request; nullopt when the connection should end (an error response, if
  // the failure deserves one, has been written).
  boost::asio::awaitable<std::optional<Request>> ReadRequest();
  boost::asio::awaitable<bool> WriteResponse(Response& response);
  // Answers a request that could not be read, then closes without resetting the peer.
  boost::asio::awaitable<void> RefuseAndClose(const Error& error, unsigned http_version);
  void CloseSocket();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const ServerOptions& options_;
  FrontDoor& front_door_;
  Metrics& metrics_;
  bool idle_ = true;      // on its thread: waiting between requests
  bool closing_ = false;  // on its thread: Shutdown() was called
};

}  // namespace sluice::http
