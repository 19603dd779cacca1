#include "http/front_door.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <chrono>

#include "common/uuid.h"
#include "http/error_mapping.h"
#include "protocol/json_writer.h"

namespace sluice::http {

namespace beast_http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kJsonContentType = "application/x-amz-json-1.1";

Response MakeResponse(unsigned status, unsigned http_version, std::string_view request_id,
                      std::string_view content_type, std::string body) {
  Response response{static_cast<beast_http::status>(status), http_version};
  response.set("x-amzn-RequestId", request_id);
  response.set(beast_http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Outcome OutcomeOf(unsigned status) {
  if (status >= 500) return Outcome::kServerError;
  if (status >= 400) return Outcome::kClientError;
  return Outcome::kSuccess;
}

bool IsAwsJsonContentType(std::string_view value) {
  // "application/x-amz-json-1.1", optionally followed by parameters (";charset=...").
  if (value.substr(0, kJsonContentType.size()) == kJsonContentType) {
    std::string_view rest = value.substr(kJsonContentType.size());
    return rest.empty() || rest.front() == ';' || rest.front() == ' ';
  }
  return value == "application/x-amz-json-1.0";
}

auth::ReceivedRequest ToReceivedRequest(const Request& request) {
  auth::ReceivedRequest received{
      std::string_view(request.method_string().data(), request.method_string().size()),
      std::string_view(request.target().data(), request.target().size()),
      {},
      request.body()};
  received.headers.reserve(16);
  for (const auto& field : request) {
    received.headers.emplace_back(
        std::string_view(field.name_string().data(), field.name_string().size()),
        std::string_view(field.value().data(), field.value().size()));
  }
  return received;
}

}  // namespace

FrontDoor::FrontDoor(const Router& router, Metrics& metrics, protocol::JsonParserPool& parsers,
                     const auth::SigV4Verifier* verifier)
    : router_(router),
      metrics_(metrics),
      parsers_(parsers),
      verifier_(verifier),
      health_metrics_(metrics.Register("http", "health")),
      metrics_metrics_(metrics.Register("http", "metrics")),
      unrouted_metrics_(metrics.Register("http", "unrouted")) {}

Response FrontDoor::MakeErrorResponse(const Error& error, unsigned http_version,
                                      std::string_view request_id) {
  WireError wire = MapError(error);
  return MakeResponse(wire.status, http_version, request_id, kJsonContentType,
                      protocol::ErrorBody(wire.type, error.message));
}

boost::asio::awaitable<Response> FrontDoor::Handle(const Request& request) {
  const std::string request_id = NewUuid();
  const auto started = Clock::now();
  const std::string_view target(request.target().data(), request.target().size());
  if (request.method() == beast_http::verb::get && target == "/health") {
    co_return HandleHealth(request, request_id);
  }
  if (request.method() == beast_http::verb::get && target == "/metrics") {
    co_return HandleMetrics(request, request_id);
  }
  if (request.method() == beast_http::verb::post && target == "/") {
    co_return co_await HandleAwsJson(request, request_id);
  }
  Response response = MakeErrorResponse(
      Error{ErrorCode::kNotFound,
            "No route for " + std::string(request.method_string()) + " " + std::string(target),
            "UnknownOperationException"},
      request.version(), request_id);
  unrouted_metrics_.Record(OutcomeOf(response.result_int()), Clock::now() - started);
  co_return response;
}

Response FrontDoor::HandleHealth(const Request& request, std::string_view request_id) const {
  const auto started = Clock::now();
  Response response =
      MakeResponse(200, request.version(), request_id, "application/json", "{\"status\":\"ok\"}");
  health_metrics_.Record(Outcome::kSuccess, Clock::now() - started);
  return response;
}

Response FrontDoor::HandleMetrics(const Request& request, std::string_view request_id) const {
  const auto started = Clock::now();
  Response response = MakeResponse(200, request.version(), request_id, "text/plain; version=0.0.4",
                                   metrics_.RenderPrometheus());
  metrics_metrics_.Record(Outcome::kSuccess, Clock::now() - started);
  return response;
}

Result<std::string> FrontDoor::Authenticate(const Request& request,
                                            const Router::Service& service) const {
  if (verifier_ == nullptr) return std::string();
  return verifier_->Verify(ToReceivedRequest(request), service.signing_name,
                           std::chrono::system_clock::now());
}

Result<FrontDoor::Admission> FrontDoor::Admit(const Request& request, std::string_view target,
                                              OperationMetrics*& metrics) const {
  auto service = router_.FindService(target);
  if (!service) return Fail(service.error());
  metrics = (*service)->unknown_metrics;
  auto principal = Authenticate(request, **service);
  if (!principal) return Fail(principal.error());
  const std::string_view content_type = request[beast_http::field::content_type];
  if (!IsAwsJsonContentType(content_type)) {
    return Fail(ErrorCode::kInvalidArgument,
                "Unsupported Content-Type '" + std::string(content_type) +
                    "': expected application/x-amz-json-1.1",
                "SerializationException");
  }
  return Admission{*service, std::move(*principal)};
}

boost::asio::awaitable<Result<std::string>> FrontDoor::Execute(const Request& request,
                                                               const std::string& request_id,
                                                               std::string_view target,
                                                               OperationMetrics*& metrics) {
  auto admission = Admit(request, target, metrics);
  if (!admission) co_return Fail(admission.error());
  // The body is parsed before dispatch: malformed JSON is a protocol error whatever the
  // operation.
  protocol::JsonParserPool::Lease parser = parsers_.Acquire();
  auto input = parser->Parse(request.body(), request.body().capacity() - request.body().size());
  if (!input) co_return Fail(input.error());
  auto operation = router_.FindOperation(*admission->service, target);
  if (!operation) co_return Fail(operation.error());
  metrics = (*operation)->metrics;
  co_return co_await (*operation)
      ->handler(OperationCall{request_id, admission->principal, *input, request.body()});
}

boost::asio::awaitable<Response> FrontDoor::HandleAwsJson(const Request& request,
                                                          const std::string& request_id) {
  const auto started = Clock::now();
  const std::string_view target = request["X-Amz-Target"];
  OperationMetrics* metrics = &unrouted_metrics_;
  Result<std::string> result = co_await Execute(request, request_id, target, metrics);

  Response response = result ? MakeResponse(200, request.version(), request_id, kJsonContentType,
                                            std::move(*result))
                             : MakeErrorResponse(result.error(), request.version(), request_id);
  const auto latency = Clock::now() - started;
  metrics->Record(OutcomeOf(response.result_int()), latency);
  if (!result && response.result_int() >= 500) {
    spdlog::warn("request_id={} target={} status={} error=\"{}\"", request_id, target,
                 response.result_int(), result.error().message);
  }
  spdlog::debug("request_id={} target={} status={} duration_us={}", request_id, target,
                response.result_int(),
                std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
  co_return response;
}

}  // namespace sluice::http
