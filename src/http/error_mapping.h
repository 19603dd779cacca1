#pragma once

#include <string>

#include "common/error.h"

namespace sluice::http {

// What an Error looks like on the wire: HTTP status and AWS `__type`.
struct WireError {
  unsigned status = 500;
  std::string type;
};

// The one place that turns an ErrorCode into an AWS error type and HTTP status
// (STYLE.md §4). An Error's wire_type, when set, names the type; the status still comes
// from here.
WireError MapError(const Error& error);

}  // namespace sluice::http
