#include "protocol/json_request.h"

#include <string>

namespace sluice::protocol {

Result<simdjson::dom::element> JsonRequestParser::Parse(std::string_view body) {
  if (body.empty()) body = "{}";
  simdjson::dom::element root;
  simdjson::error_code error = parser_.parse(body.data(), body.size()).get(root);
  if (error != simdjson::SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("Request body is not valid JSON: ") + simdjson::error_message(error),
                "SerializationException");
  }
  if (!root.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "Request body must be a JSON object",
                "SerializationException");
  }
  return root;
}

}  // namespace sluice::protocol
