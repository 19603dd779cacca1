#include "common/hash_key.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "common/assert.h"
#include "common/md5.h"

namespace sluice {

namespace {

// The digest read as a big-endian integer.
HashKey FromDigest(const Md5Digest& digest) {
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, digest.data(), 8);
  std::memcpy(&low, digest.data() + 8, 8);
  return (HashKey{__builtin_bswap64(high)} << 64) | __builtin_bswap64(low);
}

}  // namespace

HashKey HashKeyOf(std::string_view partition_key) { return FromDigest(Md5(partition_key)); }

void HashKeysOf(std::span<const std::string_view> partition_keys, std::span<HashKey> hash_keys) {
  SLUICE_ASSERT(partition_keys.size() == hash_keys.size(), "HashKeysOf: one hash key per key");
  // Sixteen at a time: Md5Many's lanes, without a buffer on the heap.
  std::array<Md5Digest, 16> digests;
  for (size_t first = 0; first < partition_keys.size(); first += digests.size()) {
    const size_t count = std::min(digests.size(), partition_keys.size() - first);
    Md5Many(partition_keys.subspan(first, count), std::span(digests).first(count));
    for (size_t i = 0; i < count; ++i) hash_keys[first + i] = FromDigest(digests[i]);
  }
}

void FormatHashKeyDigits(HashKey key, std::span<char, kHashKeyDigits> out) {
  // Three groups of 1, 19 and 19 digits: two 128-bit divisions instead of one per digit.
  constexpr uint64_t kGroup = 10'000'000'000'000'000'000ULL;  // 10^19
  auto write = [](uint64_t value, std::span<char> digits) {
    for (size_t i = digits.size(); i-- > 0; value /= 10) {
      digits[i] = static_cast<char>('0' + value % 10);
    }
  };
  const HashKey rest = key / kGroup;
  write(static_cast<uint64_t>(key % kGroup), out.subspan<20, 19>());
  write(static_cast<uint64_t>(rest % kGroup), out.subspan<1, 19>());
  write(static_cast<uint64_t>(rest / kGroup), out.subspan<0, 1>());
}

std::string FormatHashKey(HashKey key) {
  std::array<char, kHashKeyDigits> digits;
  FormatHashKeyDigits(key, digits);
  const std::string_view text(digits.data(), digits.size());
  return std::string(text.substr(std::min(text.find_first_not_of('0'), text.size() - 1)));
}

std::optional<HashKey> ParseHashKey(std::string_view text) {
  if (text.empty() || text.size() > 39 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  HashKey key = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<unsigned>(c - '0');
    if (key > (kMaxHashKey - digit) / 10) return std::nullopt;  // past 2^128 - 1
    key = key * 10 + digit;
  }
  return key;
}

std::vector<HashKeyRange> SplitHashKeySpace(uint32_t count) {
  // floor(2^128 / count) without a 129-bit intermediate: 2^128 = kMax + 1.
  HashKey width = kMaxHashKey / count;
  if (kMaxHashKey % count == count - 1) ++width;
  std::vector<HashKeyRange> ranges(count);
  for (uint32_t i = 0; i < count; ++i) {
    ranges[i].start = width * i;
    ranges[i].end = i + 1 == count ? kMaxHashKey : width * (i + 1) - 1;
  }
  return ranges;
}

}  // namespace sluice
