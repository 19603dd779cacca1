#include "common/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace sluice {
namespace {

std::string Encode(std::string_view bytes) {
  std::string out;
  Base64Encode(bytes, out);
  return out;
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Encode(""), "");
  EXPECT_EQ(Encode("f"), "Zg==");
  EXPECT_EQ(Encode("fo"), "Zm8=");
  EXPECT_EQ(Encode("foo"), "Zm9v");
  EXPECT_EQ(Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, RoundTripsRandomBytes) {
  std::mt19937 rng(7);
  for (size_t size = 0; size < 300; ++size) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    const std::string text = Encode(bytes);
    EXPECT_EQ(text.size(), Base64EncodedSize(size));
    EXPECT_EQ(Base64DecodedSize(text), size);
    EXPECT_EQ(Base64Decode(text), bytes);
  }
}

TEST(Base64Test, RefusesInvalidText) {
  for (std::string_view text : {"Z", "Zg=", "Zg===", "Z===", "=Zg=", "Zg=a", "Zm9v!mFy", "Zm 9",
                                "Zm9vYmF=Zm9v", "Zm\n9v"}) {
    EXPECT_FALSE(Base64Decode(text)) << text;
  }
}

}  // namespace
}  // namespace sluice
