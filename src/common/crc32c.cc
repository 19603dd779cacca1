#include "common/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace sluice {

namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli

// kTables[k][b]: the CRC of byte b followed by k zero bytes (slicing-by-8).
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    tables[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (size_t k = 1; k < 8; ++k) {
      uint32_t prev = tables[k - 1][b];
      tables[k][b] = (prev >> 8) ^ tables[0][prev & 0xff];
    }
  }
  return tables;
}

constexpr auto kTables = MakeTables();

uint64_t LoadLittle64(const uint8_t* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;  // x86-64 and the other targets we build for are little-endian
}

#if defined(__x86_64__)
// Long inputs run as three interleaved streams over consecutive stripes: the crc32
// instruction takes three cycles but can start one every cycle, so one dependent chain
// uses a third of it. The stripes' states are then combined (ShiftByStripe).
constexpr size_t kStripeBytes = 512;

// The CRC register is linear in its state: after `n` zero bytes it is M^n times the state,
// M being one zero-byte step. A map is stored as the images of the 32 state bits.
using Gf2Map = std::array<uint32_t, 32>;

constexpr uint32_t Apply(const Gf2Map& map, uint32_t state) {
  uint32_t out = 0;
  for (int bit = 0; bit < 32; ++bit) {
    if ((state >> bit) & 1) out ^= map[bit];
  }
  return out;
}

constexpr Gf2Map Compose(const Gf2Map& outer, const Gf2Map& inner) {
  Gf2Map out{};
  for (int bit = 0; bit < 32; ++bit) out[bit] = Apply(outer, inner[bit]);
  return out;
}

// kStripeTables[k][b]: the state after kStripeBytes zero bytes from state b << 8k.
constexpr std::array<std::array<uint32_t, 256>, 4> MakeStripeTables() {
  Gf2Map step{};
  for (int bit = 0; bit < 32; ++bit) {
    const uint32_t state = uint32_t{1} << bit;
    step[bit] = (state >> 8) ^ kTables[0][state & 0xff];
  }
  Gf2Map shift{};
  for (int bit = 0; bit < 32; ++bit) shift[bit] = uint32_t{1} << bit;
  for (size_t n = kStripeBytes; n > 0; n >>= 1) {  // shift = step^kStripeBytes
    if (n & 1) shift = Compose(step, shift);
    step = Compose(step, step);
  }
  std::array<std::array<uint32_t, 256>, 4> tables{};
  for (int k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b) tables[k][b] = Apply(shift, b << (8 * k));
  }
  return tables;
}

constexpr auto kStripeTables = MakeStripeTables();

uint64_t ShiftByStripe(uint64_t state) {
  return kStripeTables[0][state & 0xff] ^ kStripeTables[1][(state >> 8) & 0xff] ^
         kStripeTables[2][(state >> 16) & 0xff] ^ kStripeTables[3][(state >> 24) & 0xff];
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                          size_t size) {
  uint64_t state = crc ^ 0xFFFFFFFFu;
  for (; size >= 3 * kStripeBytes; p += 3 * kStripeBytes, size -= 3 * kStripeBytes) {
    uint64_t second = 0, third = 0;
    for (size_t i = 0; i < kStripeBytes; i += 8) {
      state = _mm_crc32_u64(state, LoadLittle64(p + i));
      second = _mm_crc32_u64(second, LoadLittle64(p + kStripeBytes + i));
      third = _mm_crc32_u64(third, LoadLittle64(p + 2 * kStripeBytes + i));
    }
    state = ShiftByStripe(ShiftByStripe(state) ^ second) ^ third;
  }
  for (; size >= 8; p += 8, size -= 8) state = _mm_crc32_u64(state, LoadLittle64(p));
  auto narrow = static_cast<uint32_t>(state);
  if (size >= 4) {
    uint32_t word;
    std::memcpy(&word, p, sizeof(word));
    narrow = _mm_crc32_u32(narrow, word);
    p += 4;
    size -= 4;
  }
  for (; size > 0; ++p, --size) narrow = _mm_crc32_u8(narrow, *p);
  return narrow ^ 0xFFFFFFFFu;
}

bool DetectHardware() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#else
uint32_t ExtendHardware(uint32_t crc, const uint8_t* p, size_t size) {
  return Crc32cExtendPortable(crc, p, size);
}
bool DetectHardware() { return false; }
#endif

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t state = crc ^ 0xFFFFFFFFu;
  while (size >= 8) {
    uint64_t word = LoadLittle64(p) ^ state;
    state = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^
            kTables[5][(word >> 16) & 0xff] ^ kTables[4][(word >> 24) & 0xff] ^
            kTables[3][(word >> 32) & 0xff] ^ kTables[2][(word >> 40) & 0xff] ^
            kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
    p += 8;
    size -= 8;
  }
  while (size > 0) {
    state = (state >> 8) ^ kTables[0][(state ^ *p++) & 0xff];
    --size;
  }
  return state ^ 0xFFFFFFFFu;
}

bool Crc32cUsesHardware() {
  static const bool hardware = DetectHardware();
  return hardware;
}

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
  if (Crc32cUsesHardware()) return ExtendHardware(crc, static_cast<const uint8_t*>(data), size);
  return Crc32cExtendPortable(crc, data, size);
}

uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }

}  // namespace sluice
