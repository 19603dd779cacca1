#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// A Kinesis hash key: an unsigned 128-bit integer, written in decimal on the wire.
__extension__ typedef unsigned __int128 HashKey;

inline constexpr HashKey kMaxHashKey = ~HashKey{0};

// The 128-bit MD5 of a partition key read as a big-endian integer, as Kinesis maps
// partition keys to shards.
HashKey HashKeyOf(std::string_view partition_key);
// The same for many keys at once, faster per key (Md5Many): hash_keys[i] =
// HashKeyOf(partition_keys[i]); the spans have the same size.
void HashKeysOf(std::span<const std::string_view> partition_keys, std::span<HashKey> hash_keys);

std::string FormatHashKey(HashKey key);
// All 39 decimal digits of `key` (2^128-1 has 39), zero-padded, into `out`: no allocation.
inline constexpr size_t kHashKeyDigits = 39;
void FormatHashKeyDigits(HashKey key, std::span<char, kHashKeyDigits> out);
// Decimal 0 … 2^128-1 without sign or leading zeros (the API's HashKey pattern);
// nullopt otherwise.
std::optional<HashKey> ParseHashKey(std::string_view text);

// An inclusive range of hash keys, as a shard owns one.
struct HashKeyRange {
  HashKey start = 0;
  HashKey end = kMaxHashKey;

  bool Contains(HashKey key) const { return key >= start && key <= end; }
  friend bool operator==(const HashKeyRange&, const HashKeyRange&) = default;
};

// The whole key space cut into `count` contiguous ranges as Kinesis cuts it for a new
// stream: range i starts at i * floor(2^128 / count), the last ends at 2^128 - 1.
std::vector<HashKeyRange> SplitHashKeySpace(uint32_t count);

}  // namespace sluice
