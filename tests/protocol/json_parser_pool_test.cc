#include "protocol/json_parser_pool.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(JsonParserPoolTest, ReusesAReleasedParser) {
  JsonParserPool pool;
  JsonRequestParser* first = nullptr;
  {
    JsonParserPool::Lease lease = pool.Acquire();
    first = &*lease;
    ASSERT_TRUE(lease->Parse("{}"));
  }
  JsonParserPool::Lease again = pool.Acquire();
  EXPECT_EQ(&*again, first);
}

TEST(JsonParserPoolTest, ConcurrentLeasesGetDistinctParsers) {
  JsonParserPool pool;
  JsonParserPool::Lease a = pool.Acquire();
  JsonParserPool::Lease b = pool.Acquire();
  EXPECT_NE(&*a, &*b);
}

TEST(JsonParserPoolTest, DocumentsStayValidWhileTheLeaseIsHeld) {
  JsonParserPool pool;
  JsonParserPool::Lease a = pool.Acquire();
  auto root = a->Parse(R"({"k":"first"})");
  ASSERT_TRUE(root);
  JsonParserPool::Lease b = pool.Acquire();
  ASSERT_TRUE(b->Parse(R"({"k":"second"})"));
  EXPECT_EQ(std::string_view((*root)["k"]), "first");
}

TEST(JsonParserPoolTest, DropsParsersThatGrewPastTheRetainedCapacity) {
  JsonParserPool pool;
  {
    JsonParserPool::Lease lease = pool.Acquire();
    std::string body = "{\"k\":\"" + std::string(JsonRequestParser::kRetainedCapacity, 'x') + "\"}";
    ASSERT_TRUE(lease->Parse(body));
    EXPECT_GT(lease->capacity(), JsonRequestParser::kRetainedCapacity);
  }
  JsonParserPool::Lease next = pool.Acquire();
  EXPECT_EQ(next->capacity(), 0u);
}

}  // namespace
}  // namespace sluice::protocol
