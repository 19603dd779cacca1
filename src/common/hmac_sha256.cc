#include "common/hmac_sha256.h"

#include <openssl/evp.h>

#include <algorithm>

#include "common/assert.h"

namespace sluice {

namespace {

constexpr size_t kBlockBytes = 64;  // SHA-256's block

// SHA-256 is in OpenSSL's default provider; a failure here is a broken installation.
void Check(bool ok) { SLUICE_ASSERT(ok, "OpenSSL SHA-256 failed"); }

// The key as one block: hashed if longer, padded with zeros (RFC 2104, section 2).
std::array<uint8_t, kBlockBytes> KeyBlock(std::span<const uint8_t> key) {
  std::array<uint8_t, kBlockBytes> block{};
  if (key.size() <= kBlockBytes) {
    std::copy(key.begin(), key.end(), block.begin());
    return block;
  }
  unsigned int length = 0;
  Check(EVP_Digest(key.data(), key.size(), block.data(), &length, EVP_sha256(), nullptr) == 1);
  return block;
}

// A SHA-256 context that has absorbed the key block xor `pad`.
EVP_MD_CTX* PaddedKeyState(const std::array<uint8_t, kBlockBytes>& key, uint8_t pad) {
  std::array<uint8_t, kBlockBytes> block;
  for (size_t i = 0; i < kBlockBytes; ++i) block[i] = key[i] ^ pad;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Check(ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
        EVP_DigestUpdate(ctx, block.data(), block.size()) == 1);
  return ctx;
}

// SHA-256 of what `state` absorbed, then `bytes`, hashed in `work` (state is untouched).
KeyedHmacSha256::Digest Finish(EVP_MD_CTX* work, const EVP_MD_CTX* state,
                               std::span<const uint8_t> bytes) {
  KeyedHmacSha256::Digest digest{};
  unsigned int length = 0;
  Check(EVP_MD_CTX_copy_ex(work, state) == 1 &&
        EVP_DigestUpdate(work, bytes.data(), bytes.size()) == 1 &&
        EVP_DigestFinal_ex(work, digest.data(), &length) == 1 && length == digest.size());
  return digest;
}

// One work context per thread, reused.
struct WorkContext {
  WorkContext() : ctx(EVP_MD_CTX_new()) { Check(ctx != nullptr); }
  ~WorkContext() { EVP_MD_CTX_free(ctx); }
  EVP_MD_CTX* ctx;
};

}  // namespace

KeyedHmacSha256::KeyedHmacSha256(std::span<const uint8_t> key) {
  const auto block = KeyBlock(key);
  inner_ = PaddedKeyState(block, 0x36);
  outer_ = PaddedKeyState(block, 0x5c);
}

KeyedHmacSha256::~KeyedHmacSha256() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
}

KeyedHmacSha256::Digest KeyedHmacSha256::Tag(std::string_view message) const {
  thread_local WorkContext work;
  const auto* bytes = reinterpret_cast<const uint8_t*>(message.data());
  const Digest inner = Finish(work.ctx, inner_, std::span(bytes, message.size()));
  return Finish(work.ctx, outer_, inner);
}

}  // namespace sluice
