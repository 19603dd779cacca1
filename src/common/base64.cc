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
    *dst++ = kAlphabet[v >> 18];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = kAlphabet[v & 63];
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
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  size_t written = 0;
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint32_t v = 0;
    int pads = 0;
    for (size_t j = 0; j < 4; ++j) {
      const auto c = static_cast<uint8_t>(text[i + j]);
      if (c == '=' && last && j >= 2) {
        ++pads;
        v <<= 6;
        continue;
      }
      const uint8_t d = kDecode[c];
      if (d == kInvalid || pads > 0) return std::nullopt;
      v = (v << 6) | d;
    }
    dst[written++] = static_cast<uint8_t>(v >> 16);
    if (pads < 2) dst[written++] = static_cast<uint8_t>(v >> 8);
    if (pads < 1) dst[written++] = static_cast<uint8_t>(v);
  }
  return out;
}

}  // namespace sluice
