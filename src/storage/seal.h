#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/result.h"

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX, kept out of this header

namespace sluice::storage {

// Encryption at rest: the keys that seal batches and AES-256-GCM over OpenSSL's EVP. How
// sealed batches are laid out in a segment: frame.h and docs/formats/shard-log.md.

inline constexpr size_t kSealKeyBytes = 32;    // AES-256
inline constexpr size_t kSealNonceBytes = 12;  // GCM's 96-bit nonce
inline constexpr size_t kSealTagBytes = 16;    // GCM's 128-bit tag

// One data key; `id` is what a sealed frame names to find it again (the local key store's
// id). Whoever holds one holds the secret: do not log it.
struct SealKey {
  uint32_t id = 0;
  std::array<uint8_t, kSealKeyBytes> bytes{};
};

// Finds the key a sealed frame names, for reads. Implementations must be thread-safe:
// every reading thread calls Resolve (once per sealed key met by a read or Verify).
class KeyResolver {
 public:
  virtual ~KeyResolver() = default;
  // The key with `key_id`. kNotFound if there is none (reads of its batches then fail
  // with kDataLoss); any other error reaches the reader's caller with its code.
  [[nodiscard]] virtual Result<SealKey> Resolve(uint32_t key_id) const = 0;
};

// Fills `out` from OpenSSL's CSPRNG (for nonces). kInternal if it cannot.
[[nodiscard]] Status FillRandom(std::span<char> out);

// AES-256-GCM under one key, whose key schedule is set up once by Create. Seal and Open
// work in place on caller-owned memory and take the nonce from the caller: every nonce
// must be fresh random bytes (FillRandom), never reused under the same key.
//
// Not thread-safe (the context carries each call's state): one per thread, or under a
// lock. Movable only through its unique_ptr.
class SealCipher {
 public:
  // kInternal if OpenSSL cannot set up the context.
  [[nodiscard]] static Result<std::unique_ptr<SealCipher>> Create(const SealKey& key);
  ~SealCipher();
  SealCipher(const SealCipher&) = delete;
  SealCipher& operator=(const SealCipher&) = delete;

  uint32_t key_id() const { return key_id_; }

  // Encrypts `data` in place, authenticating `aad` with it, and writes the tag. Cannot
  // fail on a context Create accepted (a failure of OpenSSL there is a bug: it aborts).
  void Seal(std::span<const char, kSealNonceBytes> nonce, std::string_view aad,
            std::span<char> data, std::span<char, kSealTagBytes> tag);
  // Decrypts `data` in place. kDataLoss if the tag does not match `data` and `aad` under
  // this key (a wrong key, or altered bytes); `data` then holds garbage, not plaintext
  // to use.
  [[nodiscard]] Status Open(std::span<const char, kSealNonceBytes> nonce, std::string_view aad,
                            std::span<char> data, std::span<const char, kSealTagBytes> tag);

 private:
  SealCipher(evp_cipher_ctx_st* context, uint32_t key_id) : context_(context), key_id_(key_id) {}

  evp_cipher_ctx_st* const context_;  // owned; freed (and its key cleansed) by the destructor
  const uint32_t key_id_;
};

}  // namespace sluice::storage
