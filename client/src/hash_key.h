#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Kinesis hash keys for the producer: which shard a record goes to. (The server has its
// own copy in stream/hash_key.h; client/ may not depend on server modules.)
namespace sluice::client {

// An unsigned 128-bit integer, written in decimal on the wire.
__extension__ typedef unsigned __int128 HashKey;

inline constexpr HashKey kMaxHashKey = ~HashKey{0};

// The MD5 of a partition key read as a big-endian integer, as Kinesis maps partition keys
// to shards. Thread-safe.
HashKey HashKeyOf(std::string_view partition_key);

std::string FormatHashKey(HashKey key);
// Decimal 0 … 2^128-1 without sign or leading zeros; nullopt otherwise.
std::optional<HashKey> ParseHashKey(std::string_view text);

}  // namespace sluice::client
