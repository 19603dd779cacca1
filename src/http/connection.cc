#include "http/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "common/uuid.h"
#include "protocol/json_request.h"

namespace sluice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 64 << 10;
// Bytes drained from a refused request before closing, so the peer sees our response
// instead of a reset.
constexpr size_t kMaxDrainBytes = 64 << 20;
constexpr std::chrono::seconds kDrainTimeout{2};

// The error response a failed read deserves, or nullopt when the peer simply went away
// (closed, reset, timed out) and there is nobody to answer.
std::optional<Error> ReadFailureResponse(const beast::error_code& ec,
                                         const ServerOptions& options) {
  if (ec == beast_http::error::body_limit) {
    return Error{
        ErrorCode::kResourceExhausted,
        "Request body exceeds the limit of " + std::to_string(options.max_body_bytes) + " bytes",
        "RequestEntityTooLargeException"};
  }
  if (ec == beast_http::error::header_limit) {
    return Error{ErrorCode::kResourceExhausted,
                 "Request headers exceed the limit of " + std::to_string(options.max_header_bytes) +
                     " bytes",
                 "RequestHeaderFieldsTooLargeException"};
  }
  if (ec.category() == beast::error_code(beast_http::error::bad_method).category() &&
      ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message) {
    return Error{ErrorCode::kInvalidArgument, "Malformed HTTP request: " + ec.message(),
                 "SerializationException"};
  }
  return std::nullopt;
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, const ServerOptions& options,
                       FrontDoor& front_door, Metrics& metrics)
    : stream_(std::move(socket)), options_(options), front_door_(front_door), metrics_(metrics) {
  metrics_.ConnectionOpened();
}

Connection::~Connection() { metrics_.ConnectionClosed(); }

void Connection::Shutdown() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (self->idle_) self->stream_.cancel();
  });
}

asio::awaitable<void> Connection::Run() {
  // No co_await inside && or ||: g++ 12 evaluates it even when the left side decides
  // (the next read then started after Shutdown had looked, and held the shutdown).
  while (!closing_) {
    if (!co_await AwaitRequest()) break;
    std::optional<Request> request = co_await ReadRequest();
    if (!request) break;
    Response response;
    try {
      response = co_await front_door_.Handle(*request);
    } catch (const std::exception& e) {
      std::string request_id = NewUuid();
      spdlog::error("request_id={} unhandled exception: {}", request_id, e.what());
      response = FrontDoor::MakeErrorResponse(
          Error{ErrorCode::kInternal, "Internal server error", "InternalFailure"},
          request->version(), request_id);
    }
    response.keep_alive(request->keep_alive() && !closing_);
    if (!co_await WriteResponse(response) || !response.keep_alive()) break;
  }
  CloseSocket();
}

asio::awaitable<bool> Connection::AwaitRequest() {
  if (closing_) co_return false;
  idle_ = true;
  if (buffer_.size() == 0) {
    stream_.expires_after(options_.idle_timeout);
    auto [ec, bytes] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kNoThrow);
    if (ec) co_return false;
    buffer_.commit(bytes);
  }
  idle_ = false;
  co_return !closing_;
}

asio::awaitable<std::optional<Request>> Connection::ReadRequest() {
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(options_.max_header_bytes);
  parser.body_limit(options_.max_body_bytes);
  stream_.expires_after(options_.read_timeout);
  auto [header_ec, header_bytes] =
      co_await beast_http::async_read_header(stream_, buffer_, parser, kNoThrow);
  beast::error_code ec = header_ec;
  // Room for the JSON parser's padding after the body, so that it parses the body in place
  // (the body's reader reserves the content length, which does not shrink this). Only for a
  // length within the limit: the parser refuses a larger one when the body starts.
  if (!ec) {
    const auto length = parser.content_length();
    if (length && *length <= options_.max_body_bytes) {
      parser.get().body().reserve(*length + protocol::JsonRequestParser::kPadding);
    }
  }
  if (!ec && parser.get()[beast_http::field::expect] == "100-continue") {
    beast_http::response<beast_http::empty_body> proceed{beast_http::status::continue_,
                                                         parser.get().version()};
    auto [write_ec, written] = co_await beast_http::async_write(stream_, proceed, kNoThrow);
    ec = write_ec;
  }
  if (!ec) {
    auto [body_ec, body_bytes] =
        co_await beast_http::async_read(stream_, buffer_, parser, kNoThrow);
    ec = body_ec;
  }
  if (ec) {
    if (std::optional<Error> refusal = ReadFailureResponse(ec, options_)) {
      co_await RefuseAndClose(*refusal, parser.is_header_done() ? parser.get().version() : 11);
    }
    co_return std::nullopt;
  }
  co_return parser.release();
}

asio::awaitable<bool> Connection::WriteResponse(Response& response) {
  stream_.expires_after(options_.write_timeout);
  auto [ec, bytes] = co_await beast_http::async_write(stream_, response, kNoThrow);
  co_return !ec;
}

asio::awaitable<void> Connection::RefuseAndClose(const Error& error, unsigned http_version) {
  Response response = FrontDoor::MakeErrorResponse(error, http_version, NewUuid());
  response.keep_alive(false);
  if (!co_await WriteResponse(response)) co_return;
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kDrainTimeout);
  size_t drained = 0;
  buffer_.clear();
  while (drained < kMaxDrainBytes) {
    auto [ec, bytes] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kNoThrow);
    if (ec) break;
    drained += bytes;
  }
}

void Connection::CloseSocket() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

}  // namespace sluice::http
