#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "http/metrics.h"
#include "http/operation.h"

namespace sluice::http {

// Dispatch table of the AWS JSON protocol: `X-Amz-Target: <TargetPrefix>.<Operation>`.
// Filled at start-up, read-only afterwards, so lookups need no lock.
class Router {
 public:
  struct Service {
    std::string target_prefix;  // e.g. "Kinesis_20131202"
    std::string signing_name;   // SigV4 credential scope service, e.g. "kinesis"
    OperationMetrics* unknown_metrics = nullptr;
  };
  struct Operation {
    const Service* service = nullptr;
    std::string name;
    OperationHandler handler;
    OperationMetrics* metrics = nullptr;
  };

  explicit Router(Metrics& metrics);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The services of the reference pipeline, with no operations yet.
  void AddStandardServices();
  void AddService(std::string target_prefix, std::string signing_name);
  // The service must have been added.
  void AddOperation(std::string_view target_prefix, std::string name, OperationHandler handler);

  // The service a target names, or kInvalidArgument/UnknownOperationException.
  [[nodiscard]] Result<const Service*> FindService(std::string_view target) const;
  // The operation a target names within its (known) service, or UnknownOperationException.
  [[nodiscard]] Result<const Operation*> FindOperation(const Service& service,
                                                       std::string_view target) const;

 private:
  Metrics& metrics_;
  std::map<std::string, Service, std::less<>> services_;
  std::map<std::string, Operation, std::less<>> operations_;  // key: full target
};

}  // namespace sluice::http
