#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice {

// MD5, which Kinesis uses to map partition keys to shards and the KPL's aggregated format
// to check an aggregate.
using Md5Digest = std::array<uint8_t, 16>;

Md5Digest Md5(std::string_view message);

// The digests of many independent messages: digests[i] = Md5(messages[i]); the spans have
// the same size. One MD5 is a single chain of dependent steps that leaves most of a core
// idle, so on a CPU with AVX-512 sixteen messages are hashed side by side, one per 32-bit
// lane (about ten times the throughput for short keys); elsewhere one after the other.
// Messages of similar length share a pass best: a pass lasts as long as its longest message.
void Md5Many(std::span<const std::string_view> messages, std::span<Md5Digest> digests);

}  // namespace sluice
