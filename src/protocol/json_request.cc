#include "protocol/json_request.h"

#include <string>

namespace sluice::protocol {

Result<simdjson::dom::element> JsonRequestParser::Parse(std::string_view body, size_t spare_bytes) {
  if (body.empty()) {
    body = "{}";
    spare_bytes = 0;
  }
  simdjson::dom::element root;
  const bool copy = spare_bytes < kPadding;
  simdjson::error_code error = parser_.parse(body.data(), body.size(), copy).get(root);
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
