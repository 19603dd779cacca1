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

TEST(Base64Test, EncodesAndDecodesLongText) {
  // Long enough for the CPU's widest path and a scalar tail (Python's base64 agrees).
  std::string bytes;
  for (int i = 0; i < 150; ++i) bytes.push_back(static_cast<char>((i * 7 + 3) % 256));
  const std::string text =
      "AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vMPK"
      "0djf5u30+wIJEBceJSwzOkFIT1ZdZGtyeYCHjpWco6qxuL/GzdTb4unw9/4FDBMaISgvNj1ES1JZYGdudXyDipGY"
      "n6attLvCydDX3uXs8/oBCA8W";
  EXPECT_EQ(Encode(bytes), text);
  EXPECT_EQ(Base64Decode(text), bytes);
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
  // The same inside long text, wherever it falls.
  const std::string valid = Encode(std::string(300, 'x'));
  for (size_t at : {0, 5, 63, 64, 130, 255, 395}) {
    for (char bad : {'!', '=', '\x80', '\0', '-', '_'}) {
      std::string text = valid;
      text[at] = bad;
      EXPECT_FALSE(Base64Decode(text)) << "'" << bad << "' at " << at;
    }
  }
}

}  // namespace
}  // namespace sluice
