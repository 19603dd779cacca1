#include "http/error_mapping.h"

#include <string_view>

namespace sluice::http {

namespace {

struct CodeMapping {
  unsigned status;
  std::string_view type;
};

// Default AWS types follow the Kinesis API model, the first service sluice speaks.
CodeMapping MapCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return {400, "InvalidArgumentException"};
    case ErrorCode::kNotFound:
      return {400, "ResourceNotFoundException"};
    case ErrorCode::kAlreadyExists:
      return {400, "ResourceInUseException"};
    case ErrorCode::kFailedPrecondition:
      return {400, "ResourceInUseException"};
    case ErrorCode::kResourceExhausted:
      return {400, "LimitExceededException"};
    case ErrorCode::kExpired:
      return {400, "ExpiredIteratorException"};
    case ErrorCode::kUnauthenticated:
      return {400, "UnrecognizedClientException"};
    case ErrorCode::kUnavailable:
      return {503, "ServiceUnavailable"};
    case ErrorCode::kDataLoss:
      return {500, "InternalFailure"};
    case ErrorCode::kInternal:
      return {500, "InternalFailure"};
  }
  return {500, "InternalFailure"};
}

// Wire types whose status AWS fixes regardless of the code's usual status.
unsigned StatusOverride(std::string_view type, unsigned status) {
  if (type == "MissingAuthenticationTokenException") return 403;
  if (type == "RequestEntityTooLargeException") return 413;
  if (type == "RequestHeaderFieldsTooLargeException") return 431;
  return status;
}

}  // namespace

WireError MapError(const Error& error) {
  CodeMapping mapping = MapCode(error.code);
  std::string_view type = error.wire_type.empty() ? mapping.type : error.wire_type;
  return WireError{StatusOverride(type, mapping.status), std::string(type)};
}

}  // namespace sluice::http
