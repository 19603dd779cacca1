#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "endpoint.h"
#include "request_signer.h"

namespace sluice::client {

// An HTTP response as the Kinesis client needs it.
struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::string error_type;  // the x-amzn-ErrorType header, if any
};

// Why a request got no response. `code` is "Timeout" or "ConnectionError" (the names
// records' attempts carry).
struct TransportError {
  std::string code;
  std::string message;
};

struct HttpClientOptions {
  Endpoint endpoint;
  bool verify_certificate = true;
  std::string ca_file;  // empty: the system's default trust store
  std::chrono::milliseconds connect_timeout{6000};
  std::chrono::milliseconds request_timeout{6000};
  const RequestSigner* signer = nullptr;  // null: unsigned requests; must outlive the client
};

// POSTs AWS JSON 1.1 requests over HTTP/1.1 keep-alive connections, plain or TLS
// (OpenSSL; peer and host name verified unless disabled). Idle connections are kept in a
// pool and reused; the caller bounds concurrency (the pool opens a connection whenever
// none is idle). Every connect, write and read has a timeout. Post() may run on any
// thread of the executor concurrently; the pool is guarded by a mutex.
class HttpClient {
 public:
  class Connection;

  // kInvalidArgument when the CA file cannot be loaded.
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> Create(
      boost::asio::any_io_executor executor, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `body` with X-Amz-Target `target`; a response of any status is a value. A
  // failure on a reused connection before any response byte is retried once on a new one
  // (a stale keep-alive connection).
  boost::asio::awaitable<tl::expected<HttpResponse, TransportError>> Post(std::string target,
                                                                          std::string body);

  const HttpClientOptions& options() const { return options_; }
  size_t idle_connections() const;
  // Connections opened so far (tests check reuse with it).
  uint64_t connections_opened() const;

 private:
  HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options);

  boost::asio::awaitable<tl::expected<std::unique_ptr<Connection>, TransportError>> Connect();
  std::unique_ptr<Connection> TakeIdle();
  void GiveBack(std::unique_ptr<Connection> connection);

  boost::asio::any_io_executor executor_;
  HttpClientOptions options_;
  std::optional<boost::asio::ssl::context> ssl_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  uint64_t opened_ = 0;                            // guarded by mutex_
};

}  // namespace sluice::client
