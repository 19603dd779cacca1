#include "common/hash_key.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

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

}  // namespace

HashKey HashKeyOf(std::string_view partition_key) {
  thread_local Md5Context context;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(context.ctx, context.md5, nullptr);
  EVP_DigestUpdate(context.ctx, partition_key.data(), partition_key.size());
  EVP_DigestFinal_ex(context.ctx, digest, &length);
  HashKey key = 0;
  for (unsigned int i = 0; i < length; ++i) key = (key << 8) | digest[i];
  return key;
}

std::string FormatHashKey(HashKey key) {
  // Three 19-digit groups: two 128-bit divisions instead of one per digit.
  constexpr uint64_t kGroup = 10'000'000'000'000'000'000ULL;  // 10^19
  const auto low = static_cast<uint64_t>(key % kGroup);
  const HashKey rest = key / kGroup;
  const auto middle = static_cast<uint64_t>(rest % kGroup);
  const auto high = static_cast<uint64_t>(rest / kGroup);
  char text[64];
  char* end = text;
  auto append = [&end](uint64_t value, bool pad) {
    char digits[20];
    auto [stop, ec] = std::to_chars(digits, digits + sizeof(digits), value);
    const auto length = static_cast<size_t>(stop - digits);
    if (pad) end = std::fill_n(end, 19 - length, '0');
    end = std::copy(digits, stop, end);
  };
  if (high > 0) {
    append(high, false);
    append(middle, true);
    append(low, true);
  } else if (middle > 0) {
    append(middle, false);
    append(low, true);
  } else {
    append(low, false);
  }
  return std::string(text, end);
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
