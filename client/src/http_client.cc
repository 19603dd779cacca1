#include "http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <variant>

namespace sluice::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Kinesis responses are small except GetRecords, which the producer never calls.
constexpr uint64_t kMaxResponseBytes = 64ull << 20;
constexpr std::string_view kContentType = "application/x-amz-json-1.1";

TransportError FromErrorCode(const boost::system::error_code& ec, std::string_view during) {
  if (ec == beast::error::timeout) {
    return TransportError{"Timeout", "timed out during " + std::string(during)};
  }
  return TransportError{"ConnectionError", std::string(during) + " failed: " + ec.message()};
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

// One keep-alive connection: a TCP stream, wrapped in TLS for https endpoints.
class HttpClient::Connection {
 public:
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  Connection(asio::any_io_executor executor, asio::ssl::context* ssl) {
    if (ssl != nullptr) {
      stream_.emplace<TlsStream>(executor, *ssl);
    } else {
      stream_.emplace<beast::tcp_stream>(executor);
    }
  }

  beast::tcp_stream& tcp() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return beast::get_lowest_layer(*tls);
    return std::get<beast::tcp_stream>(stream_);
  }
  TlsStream* tls() { return std::get_if<TlsStream>(&stream_); }

  // One request and its response. `timeout` bounds the whole exchange.
  asio::awaitable<tl::expected<HttpResponse, TransportError>> Exchange(
      http::request<http::string_body>& request, std::chrono::milliseconds timeout) {
    if (auto* tls = this->tls()) co_return co_await ExchangeOn(*tls, request, timeout);
    co_return co_await ExchangeOn(std::get<beast::tcp_stream>(stream_), request, timeout);
  }

  bool keep_alive() const { return keep_alive_; }
  bool got_response_bytes() const { return got_response_bytes_; }

 private:
  template <typename Stream>
  asio::awaitable<tl::expected<HttpResponse, TransportError>> ExchangeOn(
      Stream& stream, http::request<http::string_body>& request,
      std::chrono::milliseconds timeout) {
    keep_alive_ = false;
    got_response_bytes_ = false;
    tcp().expires_after(timeout);
    auto [write_ec, written] = co_await http::async_write(stream, request, kNoThrow);
    if (write_ec) co_return tl::unexpected(FromErrorCode(write_ec, "request write"));
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    auto [read_ec, read] = co_await http::async_read(stream, buffer_, parser, kNoThrow);
    got_response_bytes_ = parser.got_some();
    if (read_ec) co_return tl::unexpected(FromErrorCode(read_ec, "response read"));
    tcp().expires_never();
    http::response<http::string_body> response = parser.release();
    keep_alive_ = response.keep_alive();
    HttpResponse out;
    out.status = response.result_int();
    if (auto it = response.find("x-amzn-ErrorType"); it != response.end()) {
      out.error_type = std::string(it->value());
    }
    out.body = std::move(response.body());
    co_return out;
  }

  std::variant<std::monostate, beast::tcp_stream, TlsStream> stream_;
  beast::flat_buffer buffer_;
  bool keep_alive_ = false;
  bool got_response_bytes_ = false;
};

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(asio::any_io_executor executor,
                                                       HttpClientOptions options) {
  std::unique_ptr<HttpClient> client(new HttpClient(std::move(executor), std::move(options)));
  if (!client->options_.endpoint.tls) return client;
  auto& ssl = client->ssl_.emplace(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1,
                  ec);
  if (client->options_.ca_file.empty()) {
    ssl.set_default_verify_paths(ec);
  } else {
    ssl.load_verify_file(client->options_.ca_file, ec);
  }
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument, "cannot load the CA certificates: " + ec.message());
  }
  ssl.set_verify_mode(client->options_.verify_certificate ? asio::ssl::verify_peer
                                                          : asio::ssl::verify_none);
  return client;
}

size_t HttpClient::idle_connections() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

uint64_t HttpClient::connections_opened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

std::unique_ptr<HttpClient::Connection> HttpClient::TakeIdle() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return nullptr;
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void HttpClient::GiveBack(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

asio::awaitable<tl::expected<std::unique_ptr<HttpClient::Connection>, TransportError>>
HttpClient::Connect() {
  using namespace asio::experimental::awaitable_operators;
  const Endpoint& endpoint = options_.endpoint;
  asio::ip::tcp::resolver resolver(executor_);
  asio::steady_timer resolve_deadline(executor_, options_.connect_timeout);
  auto resolved =
      co_await (resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), kNoThrow) ||
                resolve_deadline.async_wait(kNoThrow));
  if (resolved.index() == 1) {
    co_return tl::unexpected(TransportError{"Timeout", "timed out resolving " + endpoint.host});
  }
  auto [resolve_ec, results] = std::get<0>(std::move(resolved));
  if (resolve_ec) {
    co_return tl::unexpected(TransportError{
        "ConnectionError", "cannot resolve " + endpoint.host + ": " + resolve_ec.message()});
  }
  auto connection = std::make_unique<Connection>(executor_, ssl_ ? &*ssl_ : nullptr);
  connection->tcp().expires_after(options_.connect_timeout);
  auto [connect_ec, connected] = co_await connection->tcp().async_connect(results, kNoThrow);
  if (connect_ec) co_return tl::unexpected(FromErrorCode(connect_ec, "connect"));
  connection->tcp().socket().set_option(asio::ip::tcp::no_delay(true));
  if (auto* tls = connection->tls()) {
    if (!IsIpLiteral(endpoint.host) &&
        SSL_set_tlsext_host_name(tls->native_handle(), endpoint.host.c_str()) != 1) {
      co_return tl::unexpected(TransportError{"ConnectionError", "cannot set TLS SNI"});
    }
    if (options_.verify_certificate) {
      tls->set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    }
    auto [handshake_ec] = co_await tls->async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (handshake_ec) co_return tl::unexpected(FromErrorCode(handshake_ec, "TLS handshake"));
  }
  connection->tcp().expires_never();
  {
    std::lock_guard lock(mutex_);
    ++opened_;
  }
  co_return connection;
}

asio::awaitable<tl::expected<HttpResponse, TransportError>> HttpClient::Post(std::string target,
                                                                             std::string body) {
  const Endpoint& endpoint = options_.endpoint;
  http::request<http::string_body> request{http::verb::post, endpoint.path, 11};
  request.set(http::field::host, endpoint.host_header);
  request.set(http::field::content_type, kContentType);
  request.set(http::field::user_agent, "sluice-producer/0.1");
  request.set("X-Amz-Target", target);
  if (options_.signer != nullptr) {
    const SigningHeaders signing = options_.signer->Sign(
        JsonRequestToSign{endpoint.host_header, endpoint.path, kContentType, target, body},
        std::chrono::system_clock::now());
    request.set("X-Amz-Date", signing.amz_date);
    if (!signing.security_token.empty()) {
      request.set("X-Amz-Security-Token", signing.security_token);
    }
    request.set(http::field::authorization, signing.authorization);
  }
  request.keep_alive(true);
  request.body() = std::move(body);
  request.prepare_payload();

  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<Connection> connection = TakeIdle();
    const bool reused = connection != nullptr;
    if (!connection) {
      auto connected = co_await Connect();
      if (!connected) co_return tl::unexpected(std::move(connected.error()));
      connection = std::move(*connected);
    }
    auto response = co_await connection->Exchange(request, options_.request_timeout);
    if (response) {
      if (connection->keep_alive()) GiveBack(std::move(connection));
      co_return response;
    }
    // A kept-alive connection the server closed while it was idle fails at once and
    // without a response byte: almost always the request never reached the server, so it
    // goes once more on a new connection (as HTTP clients do for idempotent-enough calls;
    // a duplicate is possible, as with any retry).
    const bool stale =
        reused && response.error().code != "Timeout" && !connection->got_response_bytes();
    if (!stale) co_return response;
  }
  co_return tl::unexpected(TransportError{"ConnectionError", "connection closed by the server"});
}

}  // namespace sluice::client
