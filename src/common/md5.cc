#include "common/md5.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/assert.h"
#include "common/avx512.h"

namespace sluice {

namespace {

// One digest context per thread, reused: partition keys are hashed once per record.
struct Md5Context {
  Md5Context() : ctx(EVP_MD_CTX_new()), md5(EVP_MD_fetch(nullptr, "MD5", nullptr)) {}
  ~Md5Context() {
    EVP_MD_free(md5);
    EVP_MD_CTX_free(ctx);
  }
  EVP_MD_CTX* ctx;
  EVP_MD* md5;
};

// RFC 1321: the initial state, each step's additive constant (floor(|sin(i + 1)| * 2^32))
// and left rotation, and which message word step i reads.
constexpr std::array<uint32_t, 4> kInitialState = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
constexpr std::array<uint32_t, 64> kSine = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
constexpr std::array<int, 16> kRotations = {7, 12, 17, 22, 5, 9,  14, 20,
                                            4, 11, 16, 23, 6, 10, 15, 21};

constexpr int Rotation(int step) { return kRotations[(step / 16) * 4 + step % 4]; }

constexpr int WordOf(int step) {
  switch (step / 16) {
    case 0:
      return step;
    case 1:
      return (5 * step + 1) % 16;
    case 2:
      return (3 * step + 5) % 16;
    default:
      return (7 * step) % 16;
  }
}

// The immediate of vpternlogd computing f(x, y, z) bit by bit: f applied to the three
// operands' truth-table columns.
constexpr int TernaryImmediate(unsigned (*f)(unsigned, unsigned, unsigned)) {
  return static_cast<int>(f(0xF0, 0xCC, 0xAA) & 0xFF);
}

// Each round's boolean function of (b, c, d).
constexpr int RoundFunction(int step) {
  switch (step / 16) {
    case 0:
      return TernaryImmediate(
          [](unsigned b, unsigned c, unsigned d) { return (b & c) | (~b & d); });
    case 1:
      return TernaryImmediate(
          [](unsigned b, unsigned c, unsigned d) { return (b & d) | (c & ~d); });
    case 2:
      return TernaryImmediate([](unsigned b, unsigned c, unsigned d) { return b ^ c ^ d; });
    default:
      return TernaryImmediate([](unsigned b, unsigned c, unsigned d) { return c ^ (b | ~d); });
  }
}

// Blocks of a message as MD5 pads it: 0x80 after the message, zeros, and the length in bits
// in the last eight bytes of the last block.
constexpr size_t PaddedBlocks(size_t size) { return (size + 8) / 64 + 1; }

constexpr size_t kLanes = 16;

struct LaneState {
  __m512i a, b, c, d;
};

template <int kStep>
__attribute__((target("avx512f"), always_inline)) inline void Step(__m512i& a, __m512i b, __m512i c,
                                                                   __m512i d,
                                                                   const __m512i* words) {
  const __m512i f = _mm512_ternarylogic_epi32(b, c, d, RoundFunction(kStep));
  const __m512i sum = _mm512_add_epi32(
      _mm512_add_epi32(a, f),
      _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(kSine[kStep])), words[WordOf(kStep)]));
  a = _mm512_add_epi32(b, _mm512_rol_epi32(sum, Rotation(kStep)));
}

// The 64 steps, four at a time so that the registers' roles rotate without moves.
template <int... kQuads>
__attribute__((target("avx512f"), always_inline)) inline void Steps(
    LaneState& s, const __m512i* words, std::integer_sequence<int, kQuads...>) {
  ((Step<4 * kQuads>(s.a, s.b, s.c, s.d, words), Step<4 * kQuads + 1>(s.d, s.a, s.b, s.c, words),
    Step<4 * kQuads + 2>(s.c, s.d, s.a, s.b, words),
    Step<4 * kQuads + 3>(s.b, s.c, s.d, s.a, words)),
   ...);
}

// vpermt2d indexes for one stage of Transpose: positions 16 and up pick from the second row.
struct TransposeIndexes {
  alignas(64) std::array<int32_t, 16> keep;
  alignas(64) std::array<int32_t, 16> take;
};

constexpr TransposeIndexes TransposeStage(int distance) {
  TransposeIndexes indexes{};
  for (int j = 0; j < 16; ++j) {
    indexes.keep[j] = (j & distance) != 0 ? 16 + j - distance : j;
    indexes.take[j] = (j & distance) != 0 ? 16 + j : j + distance;
  }
  return indexes;
}

constexpr std::array<TransposeIndexes, 4> kTransposeStages = {TransposeStage(1), TransposeStage(2),
                                                              TransposeStage(4), TransposeStage(8)};

// Rows become columns: after it, vector j holds word j of every lane's block. The stage of
// distance s swaps, between rows i and i + s, the elements whose column differs from the row
// in bit s.
__attribute__((target("avx512f"))) void Transpose(__m512i* rows) {
  for (int stage = 0; stage < 4; ++stage) {
    const int distance = 1 << stage;
    const __m512i keep = _mm512_load_si512(kTransposeStages[stage].keep.data());
    const __m512i take = _mm512_load_si512(kTransposeStages[stage].take.data());
    for (int i = 0; i < 16; ++i) {
      if ((i & distance) != 0) continue;
      const __m512i low = rows[i];
      rows[i] = _mm512_permutex2var_epi32(low, keep, rows[i + distance]);
      rows[i + distance] = _mm512_permutex2var_epi32(low, take, rows[i + distance]);
    }
  }
}

// Block `index` of a message's padded form that is not a whole block of the message: its
// last bytes (a masked load reads none past the end), the 0x80 marker, zeros, and in the
// last block the length in bits.
__attribute__((target("avx512f,avx512bw"))) __m512i PaddingBlock(std::string_view message,
                                                                 size_t index) {
  const size_t offset = index * 64;
  if (message.size() < offset) {  // the second padding block: no data, no marker
    return _mm512_maskz_set1_epi64(0x80, static_cast<int64_t>(message.size() * 8));
  }
  const size_t have = message.size() - offset;
  __m512i block = _mm512_maskz_loadu_epi8((uint64_t{1} << have) - 1, message.data() + offset);
  block =
      _mm512_or_si512(block, _mm512_maskz_set1_epi8(uint64_t{1} << have, static_cast<char>(0x80)));
  if (index + 1 == PaddedBlocks(message.size())) {
    block = _mm512_mask_set1_epi64(block, 0x80, static_cast<int64_t>(message.size() * 8));
  }
  return block;
}

// Up to sixteen messages, one per lane. Each pass loads every busy lane's next block (whole
// blocks in place, padding blocks built aside), turns the 16 blocks into 16 vectors of one
// word each, and runs the 64 steps once for all lanes; lanes whose message has ended keep
// their state (masked add).
__attribute__((target("avx512f,avx512bw"))) void HashLanes(
    std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  LaneState state{_mm512_set1_epi32(static_cast<int>(kInitialState[0])),
                  _mm512_set1_epi32(static_cast<int>(kInitialState[1])),
                  _mm512_set1_epi32(static_cast<int>(kInitialState[2])),
                  _mm512_set1_epi32(static_cast<int>(kInitialState[3]))};
  size_t passes = 0;
  for (std::string_view message : messages) passes = std::max(passes, PaddedBlocks(message.size()));
  for (size_t pass = 0; pass < passes; ++pass) {
    __mmask16 busy = 0;
    __m512i words[16];
    for (size_t lane = 0; lane < kLanes; ++lane) {
      words[lane] = _mm512_setzero_si512();
      if (lane >= messages.size() || pass >= PaddedBlocks(messages[lane].size())) continue;
      busy = static_cast<__mmask16>(busy | (1U << lane));
      if ((pass + 1) * 64 <= messages[lane].size()) {
        words[lane] = _mm512_loadu_si512(messages[lane].data() + pass * 64);
      } else {
        words[lane] = PaddingBlock(messages[lane], pass);
      }
    }
    Transpose(words);
    LaneState next = state;
    Steps(next, words, std::make_integer_sequence<int, 16>());
    state.a = _mm512_mask_add_epi32(state.a, busy, state.a, next.a);
    state.b = _mm512_mask_add_epi32(state.b, busy, state.b, next.b);
    state.c = _mm512_mask_add_epi32(state.c, busy, state.c, next.c);
    state.d = _mm512_mask_add_epi32(state.d, busy, state.d, next.d);
  }
  alignas(64) uint32_t words[4][kLanes];
  _mm512_store_si512(words[0], state.a);
  _mm512_store_si512(words[1], state.b);
  _mm512_store_si512(words[2], state.c);
  _mm512_store_si512(words[3], state.d);
  for (size_t lane = 0; lane < messages.size(); ++lane) {
    for (size_t word = 0; word < 4; ++word) {
      std::memcpy(digests[lane].data() + 4 * word, &words[word][lane], 4);  // little-endian
    }
  }
}

bool HasAvx512() {
  static const bool has =
      __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0;
  return has;
}

}  // namespace

Md5Digest Md5(std::string_view message) {
  thread_local Md5Context context;
  Md5Digest digest{};
  unsigned int length = 0;
  // MD5 is in OpenSSL's default provider; a failure here is a broken installation.
  const bool ok = EVP_DigestInit_ex(context.ctx, context.md5, nullptr) == 1 &&
                  EVP_DigestUpdate(context.ctx, message.data(), message.size()) == 1 &&
                  EVP_DigestFinal_ex(context.ctx, digest.data(), &length) == 1;
  SLUICE_ASSERT(ok && length == digest.size(), "OpenSSL MD5 failed");
  return digest;
}

void Md5Many(std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  SLUICE_ASSERT(messages.size() == digests.size(), "Md5Many: one digest per message");
  if (!HasAvx512() || messages.size() == 1) {
    for (size_t i = 0; i < messages.size(); ++i) digests[i] = Md5(messages[i]);
    return;
  }
  for (size_t first = 0; first < messages.size(); first += kLanes) {
    const size_t count = std::min(kLanes, messages.size() - first);
    HashLanes(messages.subspan(first, count), digests.subspan(first, count));
  }
}

}  // namespace sluice
