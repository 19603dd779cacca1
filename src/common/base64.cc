#include "common/base64.h"

#include <array>
#include <cstdint>

namespace sluice {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = i;
  return table;
}

constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

// Both characters of each 12-bit group: three input bytes become two lookups.
constexpr std::array<std::array<char, 2>, 4096> MakePairTable() {
  std::array<std::array<char, 2>, 4096> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = {kAlphabet[i >> 6], kAlphabet[i & 63]};
  return table;
}

constexpr std::array<std::array<char, 2>, 4096> kPairs = MakePairTable();

}  // namespace

size_t Base64EncodedSize(size_t byte_count) { return (byte_count + 2) / 3 * 4; }

void Base64Encode(std::string_view bytes, std::string& out) {
  const size_t start = out.size();
  out.resize(start + Base64EncodedSize(bytes.size()));
  char* dst = out.data() + start;
  const auto* src = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8) | src[i + 2];
    const auto& high = kPairs[v >> 12];
    const auto& low = kPairs[v & 0xfff];
    dst[0] = high[0];
    dst[1] = high[1];
    dst[2] = low[0];
    dst[3] = low[1];
    dst += 4;
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return;
  uint32_t v = uint32_t{src[i]} << 16;
  if (rest == 2) v |= uint32_t{src[i + 1]} << 8;
  *dst++ = kAlphabet[v >> 18];
  *dst++ = kAlphabet[(v >> 12) & 63];
  *dst++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
  *dst++ = '=';
}

std::optional<size_t> Base64DecodedSize(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  return text.size() / 4 * 3 - padding;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  const std::optional<size_t> size = Base64DecodedSize(text);
  if (!size) return std::nullopt;
  std::string out(*size, '\0');
  if (text.empty()) return out;
  const auto* src = reinterpret_cast<const uint8_t*>(text.data());
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  // Whole quads without padding: table lookups, one validity check per quad.
  const size_t full_quads = text.size() / 4 - 1;
  for (size_t q = 0; q < full_quads; ++q, src += 4, dst += 3) {
    const uint8_t a = kDecode[src[0]], b = kDecode[src[1]], c = kDecode[src[2]],
                  d = kDecode[src[3]];
    if (((a | b | c | d) & 0xC0) != 0) return std::nullopt;  // kInvalid has the top bits set
    const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    dst[0] = static_cast<uint8_t>(v >> 16);
    dst[1] = static_cast<uint8_t>(v >> 8);
    dst[2] = static_cast<uint8_t>(v);
  }
  // The last quad may end in one or two '='.
  const int pads = (src[3] == '=') + (src[3] == '=' && src[2] == '=');
  const uint8_t a = kDecode[src[0]], b = kDecode[src[1]];
  const uint8_t c = pads >= 2 ? 0 : kDecode[src[2]];
  const uint8_t d = pads >= 1 ? 0 : kDecode[src[3]];
  if (((a | b | c | d) & 0xC0) != 0) return std::nullopt;
  const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
  dst[0] = static_cast<uint8_t>(v >> 16);
  if (pads < 2) dst[1] = static_cast<uint8_t>(v >> 8);
  if (pads < 1) dst[2] = static_cast<uint8_t>(v);
  return out;
}

}  // namespace sluice
