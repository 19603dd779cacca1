#include "storage/seal.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>

#include "common/assert.h"

namespace sluice::storage {

namespace {

const unsigned char* Bytes(const char* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* Bytes(char* p) { return reinterpret_cast<unsigned char*>(p); }

int Length(size_t bytes) {
  SLUICE_ASSERT(bytes <= INT_MAX, "sealed data larger than OpenSSL takes in one call");
  return static_cast<int>(bytes);
}

}  // namespace

Status FillRandom(std::span<char> out) {
  if (RAND_bytes(Bytes(out.data()), Length(out.size())) != 1) {
    return Fail(ErrorCode::kInternal, "cannot draw random bytes for a nonce");
  }
  return Ok();
}

Result<std::unique_ptr<SealCipher>> SealCipher::Create(const SealKey& key) {
  EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
  if (context == nullptr ||
      EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nullptr, key.bytes.data(), nullptr) != 1) {
    EVP_CIPHER_CTX_free(context);
    return Fail(ErrorCode::kInternal, "cannot set up AES-256-GCM");
  }
  return std::unique_ptr<SealCipher>(new SealCipher(context, key.id));
}

SealCipher::~SealCipher() { EVP_CIPHER_CTX_free(context_); }

void SealCipher::Seal(std::span<const char, kSealNonceBytes> nonce, std::string_view aad,
                      std::span<char> data, std::span<char, kSealTagBytes> tag) {
  // A null cipher and key keep the ones Create set: only the nonce changes.
  int length = 0;
  bool sealed =
      EVP_EncryptInit_ex(context_, nullptr, nullptr, nullptr, Bytes(nonce.data())) == 1 &&
      EVP_EncryptUpdate(context_, nullptr, &length, Bytes(aad.data()), Length(aad.size())) == 1 &&
      EVP_EncryptUpdate(context_, Bytes(data.data()), &length, Bytes(data.data()),
                        Length(data.size())) == 1 &&
      EVP_EncryptFinal_ex(context_, Bytes(data.data()) + length, &length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context_, EVP_CTRL_GCM_GET_TAG, kSealTagBytes, tag.data()) == 1;
  SLUICE_ASSERT(sealed, "AES-256-GCM encryption failed on a set-up context");
}

Status SealCipher::Open(std::span<const char, kSealNonceBytes> nonce, std::string_view aad,
                        std::span<char> data, std::span<const char, kSealTagBytes> tag) {
  int length = 0;
  // The tag is checked at Final, after the data was decrypted in place.
  bool opened =
      EVP_DecryptInit_ex(context_, nullptr, nullptr, nullptr, Bytes(nonce.data())) == 1 &&
      EVP_DecryptUpdate(context_, nullptr, &length, Bytes(aad.data()), Length(aad.size())) == 1 &&
      EVP_DecryptUpdate(context_, Bytes(data.data()), &length, Bytes(data.data()),
                        Length(data.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(context_, EVP_CTRL_GCM_SET_TAG, kSealTagBytes,
                          const_cast<char*>(tag.data())) == 1 &&
      EVP_DecryptFinal_ex(context_, Bytes(data.data()) + length, &length) == 1;
  if (!opened) {
    return Fail(ErrorCode::kDataLoss, "authentication failed (wrong key or altered bytes)");
  }
  return Ok();
}

}  // namespace sluice::storage
