#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sluice::client {

// The Protocol Buffers wire encoding (protobuf.dev/programming-guides/encoding), the part
// the KPL aggregated record needs, written by hand: varints and length-delimited fields on
// the write side; every wire type, so that unknown fields can be skipped, on the read side.

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Bytes the varint encoding of `value` takes: 1 to 10.
constexpr size_t VarintSize(uint64_t value) {
  size_t size = 1;
  for (; value >= 0x80; value >>= 7) ++size;
  return size;
}

// Bytes a varint field takes, for field numbers 1 to 15 (one-byte tag).
constexpr size_t VarintFieldSize(uint64_t value) { return 1 + VarintSize(value); }

// Bytes a length-delimited field of `length` bytes takes, for field numbers 1 to 15.
constexpr size_t LengthDelimitedFieldSize(size_t length) { return 1 + VarintSize(length) + length; }

// The tag that starts a field.
constexpr uint64_t Tag(uint32_t field, WireType type) {
  return (uint64_t{field} << 3) | static_cast<uint64_t>(type);
}

// Writes the varint encoding of `value` at `out`, which has room for 10 bytes; returns the
// end. (Appending a run of fields through one buffer costs one append instead of a
// push_back per byte.)
inline char* WriteVarint(uint64_t value, char* out) {
  for (; value >= 0x80; value >>= 7) *out++ = static_cast<char>((value & 0x7f) | 0x80);
  *out++ = static_cast<char>(value);
  return out;
}

void AppendVarint(uint64_t value, std::string& out);
void AppendVarintField(uint32_t field, uint64_t value, std::string& out);
void AppendLengthDelimitedField(uint32_t field, std::string_view bytes, std::string& out);
// The tag and length of a length-delimited field whose `length` bytes the caller appends.
void AppendLengthDelimitedHeader(uint32_t field, size_t length, std::string& out);

// One field as read: `varint` holds a varint's value; `bytes` views the payload of a
// length-delimited field, the 4 or 8 bytes of a fixed field, or the body of a group.
struct WireField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t varint = 0;
  std::string_view bytes = {};
};

// Reads the fields of one encoded message in order. It views `message`, which must
// outlive the reader and the fields it returns. Truncated or invalid input is
// kInvalidArgument; the reader never reads past the end of `message`.
class WireReader {
 public:
  explicit WireReader(std::string_view message) : rest_(message) {}

  bool done() const { return rest_.empty(); }
  [[nodiscard]] Result<WireField> Next();

 private:
  [[nodiscard]] Result<uint64_t> ReadVarint();
  [[nodiscard]] Result<std::string_view> ReadBytes(uint64_t count);
  [[nodiscard]] Result<WireField> ReadField(int depth);
  [[nodiscard]] Result<std::string_view> SkipGroup(uint32_t number, int depth);

  std::string_view rest_;
};

}  // namespace sluice::client
