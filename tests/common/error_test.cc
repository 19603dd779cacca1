#include "common/error.h"

#include <gtest/gtest.h>

#include <set>

#include "common/result.h"

namespace sluice {
namespace {

Result<int> Half(int value) {
  if (value % 2 != 0) return Fail(ErrorCode::kInvalidArgument, "odd value");
  return value / 2;
}

TEST(ResultTest, CarriesValueOrError) {
  EXPECT_EQ(Half(4).value(), 2);
  Result<int> odd = Half(3);
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(odd.error().message, "odd value");
  EXPECT_TRUE(odd.error().wire_type.empty());
}

TEST(ErrorCodeTest, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kAlreadyExists,
        ErrorCode::kFailedPrecondition, ErrorCode::kResourceExhausted, ErrorCode::kExpired,
        ErrorCode::kUnauthenticated, ErrorCode::kUnavailable, ErrorCode::kDataLoss,
        ErrorCode::kInternal}) {
    EXPECT_TRUE(names.insert(ErrorCodeName(code)).second);
  }
}

}  // namespace
}  // namespace sluice
