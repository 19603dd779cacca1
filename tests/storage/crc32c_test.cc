#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sluice {
namespace {

// Crc32c lives in common/ but is tested here, beside the storage code that relies on it.

TEST(Crc32cTest, MatchesPublishedCheckValues) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, HardwareAndPortableAgreeOnEveryLengthAndAlignment) {
  std::mt19937 random(7);
  std::string bytes(20000 + 64, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  for (size_t offset = 0; offset < 16; ++offset) {
    // Past 1,536 bytes the hardware runs three interleaved streams and combines them.
    for (size_t size : {0,  1,   3,    7,    8,    9,    15,   31,   32,   33,
                        63, 100, 1000, 1535, 1536, 1537, 3071, 3072, 4096, 20000}) {
      const char* data = bytes.data() + offset;
      EXPECT_EQ(Crc32c(data, size), Crc32cExtendPortable(0, data, size))
          << "offset " << offset << " size " << size;
    }
  }
}

TEST(Crc32cTest, ExtendingEqualsChecksummingTheWhole) {
  std::string text = "the quick brown fox jumps over the lazy dog, again and again";
  for (size_t split = 0; split <= text.size(); ++split) {
    uint32_t first = Crc32c(text.data(), split);
    EXPECT_EQ(Crc32cExtend(first, text.data() + split, text.size() - split), Crc32c(text));
  }
}

}  // namespace
}  // namespace sluice
