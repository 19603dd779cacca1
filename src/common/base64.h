#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Standard base64 (RFC 4648 §4, with padding), as AWS JSON carries blobs.

// Appends the encoding of `bytes` to `out`.
void Base64Encode(std::string_view bytes, std::string& out);
size_t Base64EncodedSize(size_t byte_count);

// Decodes `text`; nullopt if it is not valid padded base64.
std::optional<std::string> Base64Decode(std::string_view text);
// Decodes `text` into `out`, which has room for Base64DecodedSize(text) bytes; false if it
// is not valid padded base64 (then `out` holds garbage).
bool Base64DecodeInto(std::string_view text, char* out);
// The decoded size `text` would have, from its length and padding alone; nullopt when the
// length is not a multiple of 4.
std::optional<size_t> Base64DecodedSize(std::string_view text);

}  // namespace sluice
