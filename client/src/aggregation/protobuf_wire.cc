#include "aggregation/protobuf_wire.h"

#include <string>

namespace sluice::client {

namespace {

// Groups nest; past this depth the input is rejected rather than skipped (protobuf's own
// parsers stop at 100).
constexpr int kMaxGroupDepth = 64;
constexpr uint32_t kMaxFieldNumber = (uint32_t{1} << 29) - 1;

tl::unexpected<Error> Malformed(std::string what) {
  return Fail(ErrorCode::kInvalidArgument, "malformed protobuf: " + std::move(what));
}

}  // namespace

void AppendVarint(uint64_t value, std::string& out) {
  char buffer[10];
  out.append(buffer, WriteVarint(value, buffer));
}

void AppendVarintField(uint32_t field, uint64_t value, std::string& out) {
  char buffer[20];
  out.append(buffer, WriteVarint(value, WriteVarint(Tag(field, WireType::kVarint), buffer)));
}

void AppendLengthDelimitedHeader(uint32_t field, size_t length, std::string& out) {
  char buffer[20];
  out.append(buffer,
             WriteVarint(length, WriteVarint(Tag(field, WireType::kLengthDelimited), buffer)));
}

void AppendLengthDelimitedField(uint32_t field, std::string_view bytes, std::string& out) {
  AppendLengthDelimitedHeader(field, bytes.size(), out);
  out.append(bytes);
}

Result<WireField> WireReader::Next() { return ReadField(0); }

Result<uint64_t> WireReader::ReadVarint() {
  uint64_t value = 0;
  for (size_t i = 0; i < rest_.size() && i < 10; ++i) {
    const auto byte = static_cast<uint8_t>(rest_[i]);
    // The tenth byte holds bit 63 only; anything more does not fit a uint64.
    if (i == 9 && byte > 1) return Malformed("varint overflows 64 bits");
    value |= uint64_t{byte & 0x7fu} << (7 * i);
    if ((byte & 0x80) == 0) {
      rest_.remove_prefix(i + 1);
      return value;
    }
  }
  return Malformed(rest_.size() < 10 ? "truncated varint" : "varint longer than 10 bytes");
}

Result<std::string_view> WireReader::ReadBytes(uint64_t count) {
  if (count > rest_.size()) return Malformed("field runs past the end of the message");
  const std::string_view bytes = rest_.substr(0, count);
  rest_.remove_prefix(count);
  return bytes;
}

Result<WireField> WireReader::ReadField(int depth) {
  auto tag = ReadVarint();
  if (!tag) return Fail(tag.error());
  const uint64_t number = *tag >> 3;
  if (number == 0 || number > kMaxFieldNumber) return Malformed("invalid field number");
  WireField field{.number = static_cast<uint32_t>(number), .type = static_cast<WireType>(*tag & 7)};
  Result<std::string_view> bytes = std::string_view();
  switch (field.type) {
    case WireType::kVarint: {
      auto value = ReadVarint();
      if (!value) return Fail(value.error());
      field.varint = *value;
      return field;
    }
    case WireType::kFixed64:
      bytes = ReadBytes(8);
      break;
    case WireType::kFixed32:
      bytes = ReadBytes(4);
      break;
    case WireType::kLengthDelimited: {
      auto length = ReadVarint();
      if (!length) return Fail(length.error());
      bytes = ReadBytes(*length);
      break;
    }
    case WireType::kStartGroup:
      bytes = SkipGroup(field.number, depth + 1);
      break;
    case WireType::kEndGroup:
      return Malformed("end of a group that was not started");
    default:
      return Malformed("invalid wire type " + std::to_string(*tag & 7));
  }
  if (!bytes) return Fail(bytes.error());
  field.bytes = *bytes;
  return field;
}

// Skips the fields of a group up to its matching end tag; returns the group's body.
Result<std::string_view> WireReader::SkipGroup(uint32_t number, int depth) {
  if (depth > kMaxGroupDepth) return Malformed("groups nested too deeply");
  const std::string_view start = rest_;
  while (!rest_.empty()) {
    const std::string_view before = rest_;
    auto tag = ReadVarint();
    if (!tag) return Fail(tag.error());
    if ((*tag & 7) == static_cast<uint64_t>(WireType::kEndGroup)) {
      if ((*tag >> 3) != number) return Malformed("group ends with another field's tag");
      return start.substr(0, start.size() - before.size());
    }
    rest_ = before;
    auto field = ReadField(depth);
    if (!field) return Fail(field.error());
  }
  return Malformed("truncated group");
}

}  // namespace sluice::client
