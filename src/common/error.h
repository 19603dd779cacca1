#pragma once

#include <string>
#include <string_view>

namespace sluice {

// The canonical error codes (STYLE.md §4). Callers branch on these; the HTTP edge maps
// them to AWS error types in http/error_mapping.cc.
enum class ErrorCode {
  kInvalidArgument,     // never valid, whatever the state
  kNotFound,            // the named object does not exist
  kAlreadyExists,       // the object to create exists
  kFailedPrecondition,  // state must change first (e.g. stream not ACTIVE)
  kResourceExhausted,   // over a limit
  kExpired,             // a token or iterator is past its lifetime
  kUnauthenticated,     // the caller's identity could not be established
  kUnavailable,         // transient; the caller can just retry
  kDataLoss,            // stored data is corrupt or missing
  kInternal,            // a bug or an unexpected failure of a dependency
};

std::string_view ErrorCodeName(ErrorCode code);

// An error value. `wire_type`, when set, names the exact AWS exception the API model
// requires where the code alone does not decide it (e.g. "InvalidSignatureException");
// http/error_mapping.cc still chooses the HTTP status from `code`.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string wire_type;
};

}  // namespace sluice
