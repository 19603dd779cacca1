#include "common/byte_arena.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

// Fills `count` allocations of varying sizes with a pattern of their own.
std::vector<std::string_view> FillMany(ByteArena& arena, size_t count,
                                       std::vector<std::string>& expected) {
  std::vector<std::string_view> views;
  for (size_t i = 0; i < count; ++i) {
    const size_t size = (i * 7919) % 3000 + (i % 50 == 0 ? 2'000'000 : 0);
    std::string value(size, static_cast<char>('a' + i % 26));
    char* out = arena.Allocate(size);
    std::memcpy(out, value.data(), size);
    views.emplace_back(out, size);
    expected.push_back(std::move(value));
  }
  return views;
}

TEST(ByteArenaTest, EarlierAllocationsKeepTheirBytesAsTheArenaGrows) {
  ByteArena arena;
  std::vector<std::string> expected;
  const std::vector<std::string_view> views = FillMany(arena, 400, expected);
  for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(views[i], expected[i]) << i;
}

TEST(ByteArenaTest, AllocationsDoNotOverlap) {
  ByteArena arena;
  std::vector<std::string> expected;
  std::vector<std::string_view> views = FillMany(arena, 300, expected);
  std::sort(views.begin(), views.end(),
            [](std::string_view a, std::string_view b) { return a.data() < b.data(); });
  for (size_t i = 1; i < views.size(); ++i) {
    EXPECT_LE(views[i - 1].data() + views[i - 1].size(), views[i].data());
  }
}

TEST(ByteArenaTest, MovingTheArenaKeepsWhatItHandedOut) {
  ByteArena arena;
  std::vector<std::string> expected;
  const std::vector<std::string_view> views = FillMany(arena, 60, expected);
  ByteArena moved = std::move(arena);
  for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(views[i], expected[i]) << i;
  char* more = moved.Allocate(5);
  std::memcpy(more, "extra", 5);
  EXPECT_EQ(std::string_view(more, 5), "extra");
}

}  // namespace
}  // namespace sluice
