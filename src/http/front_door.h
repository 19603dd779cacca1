#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>

#include "auth/sigv4_verifier.h"
#include "common/error.h"
#include "http/metrics.h"
#include "http/router.h"
#include "protocol/json_parser_pool.h"

namespace sluice::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Turns one complete HTTP request into its response: GET /health, GET /metrics, and
// POST / for the AWS JSON protocol (target routing, content type, SigV4, JSON parsing,
// the operation, error mapping, metrics and the request log). Holds no per-request
// state; safe to call concurrently. Borrows everything it is given.
class FrontDoor {
 public:
  // `verifier` is null when the server runs open (no access keys configured).
  FrontDoor(const Router& router, Metrics& metrics, protocol::JsonParserPool& parsers,
            const auth::SigV4Verifier* verifier);

  boost::asio::awaitable<Response> Handle(const Request& request);

  // An AWS-format error response outside any operation (e.g. a body over the limit).
  static Response MakeErrorResponse(const Error& error, unsigned http_version,
                                    std::string_view request_id);

 private:
  Response HandleHealth(const Request& request, std::string_view request_id) const;
  Response HandleMetrics(const Request& request, std::string_view request_id) const;
  struct Admission {
    const Router::Service* service;
    std::string principal;
  };

  boost::asio::awaitable<Response> HandleAwsJson(const Request& request,
                                                 const std::string& request_id);
  // Service routing, authentication and content type, in that order. Points `metrics`
  // at the service's metrics; Execute() narrows them to the operation's.
  Result<Admission> Admit(const Request& request, std::string_view target,
                          OperationMetrics*& metrics) const;
  boost::asio::awaitable<Result<std::string>> Execute(const Request& request,
                                                      const std::string& request_id,
                                                      std::string_view target,
                                                      OperationMetrics*& metrics);
  Result<std::string> Authenticate(const Request& request, const Router::Service& service) const;

  const Router& router_;
  Metrics& metrics_;
  protocol::JsonParserPool& parsers_;
  const auth::SigV4Verifier* verifier_;
  OperationMetrics& health_metrics_;
  OperationMetrics& metrics_metrics_;
  OperationMetrics& unrouted_metrics_;
};

}  // namespace sluice::http
