#include "storage/seal.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace sluice::storage {
namespace {

using Nonce = std::array<char, kSealNonceBytes>;
using Tag = std::array<char, kSealTagBytes>;

SealKey Key(uint32_t id, uint8_t fill) {
  SealKey key;
  key.id = id;
  key.bytes.fill(fill);
  return key;
}

class SealCipherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cipher = SealCipher::Create(Key(7, 0x42));
    ASSERT_TRUE(cipher) << cipher.error().message;
    cipher_ = std::move(*cipher);
    ASSERT_TRUE(FillRandom(nonce_));
  }

  // Seals `plain` under cipher_ and nonce_; returns the ciphertext and sets tag_.
  std::string Seal(const std::string& plain) {
    std::string data = plain;
    cipher_->Seal(nonce_, kAad, data, tag_);
    return data;
  }

  static constexpr std::string_view kAad = "clear header";
  std::unique_ptr<SealCipher> cipher_;
  Nonce nonce_{};
  Tag tag_{};
};

TEST_F(SealCipherTest, OpensWhatItSealed) {
  std::string plain = "the records of one batch";
  std::string data = Seal(plain);
  EXPECT_NE(data, plain);
  EXPECT_EQ(cipher_->key_id(), 7u);
  ASSERT_TRUE(cipher_->Open(nonce_, kAad, data, tag_));
  EXPECT_EQ(data, plain);
}

TEST_F(SealCipherTest, AnotherCipherWithTheSameKeyOpensIt) {
  std::string data = Seal("shared secret");
  auto other = SealCipher::Create(Key(7, 0x42));
  ASSERT_TRUE(other);
  ASSERT_TRUE((*other)->Open(nonce_, kAad, data, tag_));
  EXPECT_EQ(data, "shared secret");
}

TEST_F(SealCipherTest, RefusesAlteredCiphertextAdditionalDataOrTag) {
  std::string sealed = Seal("tamper with me");
  std::string data = sealed;
  data[3] ^= 0x01;
  EXPECT_EQ(cipher_->Open(nonce_, kAad, data, tag_).error().code, ErrorCode::kDataLoss);
  data = sealed;
  EXPECT_FALSE(cipher_->Open(nonce_, "clear headex", data, tag_));
  data = sealed;
  Tag tag = tag_;
  tag[15] ^= 0x80;
  EXPECT_FALSE(cipher_->Open(nonce_, kAad, data, tag));
  data = sealed;
  Nonce nonce = nonce_;
  nonce[0] ^= 0x01;
  EXPECT_FALSE(cipher_->Open(nonce, kAad, data, tag_));
}

TEST_F(SealCipherTest, RefusesTheWrongKey) {
  std::string data = Seal("for key 7 only");
  auto wrong = SealCipher::Create(Key(7, 0x43));
  ASSERT_TRUE(wrong);
  Status status = (*wrong)->Open(nonce_, kAad, data, tag_);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kDataLoss);
}

TEST_F(SealCipherTest, SameInputUnderFreshNoncesDiffers) {
  std::string first = Seal("same bytes");
  ASSERT_TRUE(FillRandom(nonce_));
  EXPECT_NE(Seal("same bytes"), first);
}

}  // namespace
}  // namespace sluice::storage
