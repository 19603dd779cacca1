#pragma once

#include <simdjson.h>

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sluice::http {

// What an operation handler sees of one AWS JSON request. Every view stays valid until
// the handler's coroutine completes.
struct OperationCall {
  std::string_view request_id;
  std::string_view principal;    // access key id; empty when the server runs open
  simdjson::dom::element input;  // the parsed body, always a JSON object
  std::string_view body;         // the raw body
};

// One operation: returns the JSON response body, or an Error that the front door maps
// to the wire. Handlers must not block the I/O thread: disk waits are co_awaited.
using OperationHandler =
    std::function<boost::asio::awaitable<Result<std::string>>(const OperationCall&)>;

}  // namespace sluice::http
