#include "common/hmac_sha256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/hex.h"

namespace sluice {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

std::string TagHex(std::string_view key, std::string_view message) {
  return HexEncode(KeyedHmacSha256(Bytes(key)).Tag(message));
}

KeyedHmacSha256::Digest OneShot(std::string_view key, std::string_view message) {
  KeyedHmacSha256::Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(message).data(),
       message.size(), digest.data(), &length);
  return digest;
}

// RFC 4231, test cases 1, 2 and 6 (a key longer than a block is hashed first).
TEST(KeyedHmacSha256Test, MatchesTheRfcTestVectors) {
  EXPECT_EQ(TagHex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(TagHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(
      TagHex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(KeyedHmacSha256Test, MatchesOpenSslsHmacForKeysAndMessagesOfEverySize) {
  std::mt19937 rng(7);
  for (size_t key_size : {0, 1, 32, 63, 64, 65, 200}) {
    std::string key(key_size, '\0');
    for (char& c : key) c = static_cast<char>(rng());
    const KeyedHmacSha256 hmac(Bytes(key));
    for (size_t message_size : {0, 1, 29, 55, 56, 64, 1000}) {
      std::string message(message_size, '\0');
      for (char& c : message) c = static_cast<char>(rng());
      EXPECT_EQ(hmac.Tag(message), OneShot(key, message)) << key_size << " " << message_size;
    }
  }
}

TEST(KeyedHmacSha256Test, TagsFromManyThreadsAtOnceAgree) {
  const KeyedHmacSha256 hmac(Bytes("shared key"));
  const auto expected = OneShot("shared key", "the same message");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) mismatches[t] += hmac.Tag("the same message") != expected;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace sluice
