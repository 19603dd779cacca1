#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

#include "common/error.h"

namespace sluice {

// Fallible functions return Result<T> (or Status). tl::expected mirrors C++23
// std::expected, so moving to it later changes only these aliases.
template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

// Builds the error side of a Result: `return Fail(ErrorCode::kNotFound, "...");`
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message, std::string wire_type = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(wire_type)});
}

inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

inline Status Ok() { return {}; }

}  // namespace sluice
