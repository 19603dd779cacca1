#include "http/router.h"

#include "common/assert.h"

namespace sluice::http {

namespace {

tl::unexpected<Error> UnknownOperation(std::string_view target) {
  std::string message =
      target.empty() ? "Missing X-Amz-Target header" : "Unknown operation: " + std::string(target);
  return Fail(ErrorCode::kInvalidArgument, std::move(message), "UnknownOperationException");
}

}  // namespace

Router::Router(Metrics& metrics) : metrics_(metrics) {}

void Router::AddStandardServices() {
  AddService("Kinesis_20131202", "kinesis");
  AddService("Firehose_20150804", "firehose");
  AddService("AWSGlue", "glue");
  AddService("AmazonAthena", "athena");
}

void Router::AddService(std::string target_prefix, std::string signing_name) {
  OperationMetrics& unknown = metrics_.Register(target_prefix, "unknown");
  std::string key = target_prefix;
  services_.emplace(std::move(key),
                    Service{std::move(target_prefix), std::move(signing_name), &unknown});
}

void Router::AddOperation(std::string_view target_prefix, std::string name,
                          OperationHandler handler) {
  auto service = services_.find(target_prefix);
  SLUICE_ASSERT(service != services_.end(), "operation added to an unknown service");
  std::string target = std::string(target_prefix) + "." + name;
  OperationMetrics& metrics = metrics_.Register(target_prefix, name);
  operations_.emplace(std::move(target),
                      Operation{&service->second, std::move(name), std::move(handler), &metrics});
}

Result<const Router::Service*> Router::FindService(std::string_view target) const {
  size_t dot = target.find('.');
  if (dot == std::string_view::npos) return UnknownOperation(target);
  auto service = services_.find(target.substr(0, dot));
  if (service == services_.end()) return UnknownOperation(target);
  return &service->second;
}

Result<const Router::Operation*> Router::FindOperation(const Service& service,
                                                       std::string_view target) const {
  auto operation = operations_.find(target);
  if (operation == operations_.end() || operation->second.service != &service) {
    return UnknownOperation(target);
  }
  return &operation->second;
}

}  // namespace sluice::http
