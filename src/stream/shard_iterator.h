#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/hmac_sha256.h"
#include "common/result.h"

namespace sluice::stream {

// What a shard iterator stands for: read `shard_index` of stream `stream_uid` from
// `position` on, until `expires_at_ms`.
struct IteratorState {
  uint64_t stream_uid = 0;
  uint32_t shard_index = 0;
  uint64_t position = 0;
  int64_t expires_at_ms = 0;
};

// Encodes and checks shard iterators: opaque base64 tokens carrying an IteratorState and
// an HMAC-SHA256 tag under the server's key (kept in meta.db, so iterators stay valid
// across a restart). Format: docs/formats/shard-iterator.md. Immutable; thread-safe.
class ShardIteratorCodec {
 public:
  static constexpr int64_t kDefaultLifetimeMs = 300'000;  // Kinesis: 5 minutes
  using Key = std::array<uint8_t, 32>;

  explicit ShardIteratorCodec(const Key& key, int64_t lifetime_ms = kDefaultLifetimeMs)
      : hmac_(key), lifetime_ms_(lifetime_ms) {}

  // The expiry of an iterator issued at `now_ms`.
  int64_t ExpiryFor(int64_t now_ms) const { return now_ms + lifetime_ms_; }

  std::string Encode(const IteratorState& state) const;
  // kInvalidArgument for a token that is malformed or was not issued with this key;
  // kExpired (ExpiredIteratorException wording) once `now_ms` is past its expiry.
  [[nodiscard]] Result<IteratorState> Decode(std::string_view token, int64_t now_ms) const;

 private:
  KeyedHmacSha256 hmac_;
  int64_t lifetime_ms_;
};

}  // namespace sluice::stream
