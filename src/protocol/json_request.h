#pragma once

#include <simdjson.h>

#include <string_view>

#include "common/result.h"

namespace sluice::protocol {

// Parses AWS JSON 1.1 request bodies. One parser per thread: the returned element points
// into the parser's buffers and stays valid until the next Parse() on the same object.
// An empty body reads as `{}`, as AWS JSON services accept it.
class JsonRequestParser {
 public:
  // simdjson reads up to this many bytes past the end of its input.
  static constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

  // The document root, which must be a JSON object. Invalid JSON, invalid UTF-8 or a
  // non-object root → kInvalidArgument with wire_type "SerializationException".
  // `spare_bytes`: readable bytes after the body (its string's spare capacity); with at
  // least kPadding the body is parsed where it is, otherwise it is copied first. The
  // result does not point into the body.
  [[nodiscard]] Result<simdjson::dom::element> Parse(std::string_view body, size_t spare_bytes = 0);

  // Largest document size a pooled parser keeps buffers for (see JsonParserPool).
  static constexpr size_t kRetainedCapacity = 1 << 20;
  size_t capacity() const { return parser_.capacity(); }

 private:
  simdjson::dom::parser parser_;
};

}  // namespace sluice::protocol
