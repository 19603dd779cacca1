#include "stream/shard_iterator.h"

#include <openssl/crypto.h>

#include <cstring>

#include "common/base64.h"

namespace sluice::stream {

namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kPayloadSize = 1 + 8 + 4 + 8 + 8;
constexpr size_t kTagSize = 16;

template <typename T>
void Put(std::string& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

template <typename T>
T Get(std::string_view bytes, size_t offset) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<uint8_t>(bytes[offset + i])) << (8 * i);
  }
  return value;
}

tl::unexpected<Error> InvalidIterator() {
  return Fail(ErrorCode::kInvalidArgument, "Invalid ShardIterator.");
}

}  // namespace

std::string ShardIteratorCodec::Encode(const IteratorState& state) const {
  std::string bytes;
  bytes.reserve(kPayloadSize + kTagSize);
  bytes.push_back(static_cast<char>(kVersion));
  Put(bytes, state.stream_uid);
  Put(bytes, state.shard_index);
  Put(bytes, state.position);
  Put(bytes, static_cast<uint64_t>(state.expires_at_ms));
  const auto tag = hmac_.Tag(bytes);
  bytes.append(reinterpret_cast<const char*>(tag.data()), kTagSize);
  std::string token;
  Base64Encode(bytes, token);
  return token;
}

Result<IteratorState> ShardIteratorCodec::Decode(std::string_view token, int64_t now_ms) const {
  const std::optional<std::string> bytes = Base64Decode(token);
  if (!bytes || bytes->size() != kPayloadSize + kTagSize ||
      static_cast<uint8_t>((*bytes)[0]) != kVersion) {
    return InvalidIterator();
  }
  const std::string_view payload(bytes->data(), kPayloadSize);
  const auto tag = hmac_.Tag(payload);
  if (CRYPTO_memcmp(tag.data(), bytes->data() + kPayloadSize, kTagSize) != 0) {
    return InvalidIterator();
  }
  IteratorState state{Get<uint64_t>(payload, 1), Get<uint32_t>(payload, 9),
                      Get<uint64_t>(payload, 13), static_cast<int64_t>(Get<uint64_t>(payload, 21))};
  if (now_ms > state.expires_at_ms) {
    return Fail(ErrorCode::kExpired,
                "Iterator expired. The iterator was created at time " +
                    std::to_string(state.expires_at_ms - lifetime_ms_) + " while right now it is " +
                    std::to_string(now_ms) +
                    " which is further in the future than the tolerated delay of " +
                    std::to_string(lifetime_ms_) + " milliseconds.");
  }
  return state;
}

}  // namespace sluice::stream
