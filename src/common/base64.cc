#include "common/base64.h"

#include <array>
#include <cstdint>

#include "common/avx512.h"

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

// AVX-512 VBMI: 48 bytes become 64 characters, and back, in a few byte permutations
// (vpermb picks bytes and looks characters up in a 64- or 128-entry table; vpmultishiftqb
// cuts the 6-bit groups out). The scalar code below does the rest of each text.
bool HasVbmi() {
  static const bool has =
      __builtin_cpu_supports("avx512vbmi") != 0 && __builtin_cpu_supports("avx512bw") != 0;
  return has;
}

constexpr uint64_t kLow48 = (uint64_t{1} << 48) - 1;

// Byte indexes for vpermb: entry i of the result is entry table[i] of the source.
template <typename F>
constexpr std::array<uint8_t, 64> ByteIndexes(F index_of) {
  std::array<uint8_t, 64> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = static_cast<uint8_t>(index_of(i));
  return table;
}

// Each group of three bytes b0 b1 b2 spread over a 32-bit lane as b1 b0 b2 b1, so that the
// four 6-bit groups start at bits 10, 4, 22 and 16 of the lane.
alignas(64) constexpr std::array<uint8_t, 64> kSpread = ByteIndexes([](size_t i) {
  return 3 * (i / 4) + std::array<size_t, 4>{1, 0, 2, 1}[i % 4];
});
alignas(64) constexpr std::array<uint8_t, 64> kGroupStarts = ByteIndexes([](size_t i) {
  return std::array<size_t, 8>{10, 4, 22, 16, 42, 36, 54, 48}[i % 8];
});
// The 24 bits a lane holds after decoding, as three bytes in order.
alignas(64) constexpr std::array<uint8_t, 64> kGather = ByteIndexes([](size_t i) {
  return i < 48 ? 4 * (i / 3) + 2 - i % 3 : 0;
});
alignas(64) constexpr std::array<uint8_t, 128> kDecode128 = [] {
  std::array<uint8_t, 128> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = kDecode[i] == kInvalid ? 0x80 : kDecode[i];
  return table;
}();

__attribute__((target("avx512f"))) __m512i Load(const std::array<uint8_t, 64>& table) {
  return _mm512_load_si512(table.data());
}

// Encodes whole groups of 48 bytes; returns how many bytes it encoded.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) size_t EncodeWide(const uint8_t* src,
                                                                         size_t size, char* dst) {
  const __m512i spread = Load(kSpread);
  const __m512i starts = Load(kGroupStarts);
  const __m512i alphabet = _mm512_loadu_si512(kAlphabet);
  size_t done = 0;
  for (; done + 48 <= size; done += 48, dst += 64) {
    const __m512i bytes = _mm512_maskz_loadu_epi8(kLow48, src + done);
    const __m512i groups =
        _mm512_multishift_epi64_epi8(starts, _mm512_permutexvar_epi8(spread, bytes));
    _mm512_storeu_si512(dst, _mm512_permutexvar_epi8(groups, alphabet));
  }
  return done;
}

// Decodes whole groups of 64 characters, never the text's last four (which may be padded);
// returns how many characters it decoded, stopping before a group with any character
// outside the alphabet (the scalar code finds and refuses it).
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) size_t DecodeWide(const uint8_t* src,
                                                                         size_t size,
                                                                         uint8_t* dst) {
  const __m512i low = _mm512_load_si512(kDecode128.data());
  const __m512i high = _mm512_load_si512(kDecode128.data() + 64);
  const __m512i gather = Load(kGather);
  size_t done = 0;
  for (; done + 64 + 4 <= size; done += 64, dst += 48) {
    const __m512i text = _mm512_loadu_si512(src + done);
    const __m512i values = _mm512_permutex2var_epi8(low, text, high);
    if (_mm512_movepi8_mask(_mm512_or_si512(text, values)) != 0) break;  // not in the alphabet
    const __m512i pairs = _mm512_maddubs_epi16(values, _mm512_set1_epi32(0x01400140));
    const __m512i lanes = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00011000));
    _mm512_mask_storeu_epi8(dst, kLow48, _mm512_permutexvar_epi8(gather, lanes));
  }
  return done;
}

}  // namespace

size_t Base64EncodedSize(size_t byte_count) { return (byte_count + 2) / 3 * 4; }

void Base64Encode(std::string_view bytes, std::string& out) {
  const size_t start = out.size();
  out.resize(start + Base64EncodedSize(bytes.size()));
  char* dst = out.data() + start;
  const auto* src = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  if (HasVbmi()) {
    i = EncodeWide(src, bytes.size(), dst);
    dst += i / 3 * 4;
  }
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

bool Base64DecodeInto(std::string_view text, char* out) {
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  const auto* src = reinterpret_cast<const uint8_t*>(text.data());
  auto* dst = reinterpret_cast<uint8_t*>(out);
  size_t done = 0;
  if (HasVbmi()) {
    done = DecodeWide(src, text.size(), dst);
    src += done;
    dst += done / 4 * 3;
  }
  // Whole quads without padding: table lookups, one validity check per quad.
  const size_t full_quads = (text.size() - done) / 4 - 1;
  for (size_t q = 0; q < full_quads; ++q, src += 4, dst += 3) {
    const uint8_t a = kDecode[src[0]], b = kDecode[src[1]], c = kDecode[src[2]],
                  d = kDecode[src[3]];
    if (((a | b | c | d) & 0xC0) != 0) return false;  // kInvalid has the top bits set
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
  if (((a | b | c | d) & 0xC0) != 0) return false;
  const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
  dst[0] = static_cast<uint8_t>(v >> 16);
  if (pads < 2) dst[1] = static_cast<uint8_t>(v >> 8);
  if (pads < 1) dst[2] = static_cast<uint8_t>(v);
  return true;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  const std::optional<size_t> size = Base64DecodedSize(text);
  if (!size) return std::nullopt;
  std::string out(*size, '\0');
  if (!Base64DecodeInto(text, out.data())) return std::nullopt;
  return out;
}

}  // namespace sluice
