#include "common/hex.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice {
namespace {

TEST(HexTest, EncodesLowerCase) {
  std::vector<uint8_t> bytes = {0x00, 0x0f, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes), "000fabff");
}

TEST(HexTest, EncodesEmptyAsEmpty) { EXPECT_EQ(HexEncode({}), ""); }

}  // namespace
}  // namespace sluice
