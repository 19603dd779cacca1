#include "http/error_mapping.h"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

struct Case {
  ErrorCode code;
  unsigned status;
  const char* type;
};

TEST(ErrorMappingTest, MapsEachCodeToTheKinesisTypeAndStatus) {
  for (const Case& c : {Case{ErrorCode::kInvalidArgument, 400, "InvalidArgumentException"},
                        Case{ErrorCode::kNotFound, 400, "ResourceNotFoundException"},
                        Case{ErrorCode::kAlreadyExists, 400, "ResourceInUseException"},
                        Case{ErrorCode::kFailedPrecondition, 400, "ResourceInUseException"},
                        Case{ErrorCode::kResourceExhausted, 400, "LimitExceededException"},
                        Case{ErrorCode::kExpired, 400, "ExpiredIteratorException"},
                        Case{ErrorCode::kUnauthenticated, 400, "UnrecognizedClientException"},
                        Case{ErrorCode::kUnavailable, 503, "ServiceUnavailable"},
                        Case{ErrorCode::kDataLoss, 500, "InternalFailure"},
                        Case{ErrorCode::kInternal, 500, "InternalFailure"}}) {
    WireError wire = MapError(Error{c.code, "m", ""});
    EXPECT_EQ(wire.status, c.status) << c.type;
    EXPECT_EQ(wire.type, c.type);
  }
}

TEST(ErrorMappingTest, WireTypeNamesTheTypeButNotTheStatus) {
  WireError wire = MapError(Error{ErrorCode::kInvalidArgument, "m", "ValidationException"});
  EXPECT_EQ(wire.status, 400u);
  EXPECT_EQ(wire.type, "ValidationException");
}

TEST(ErrorMappingTest, FixedStatusesOfFrontDoorTypes) {
  EXPECT_EQ(MapError(Error{ErrorCode::kUnauthenticated, "m", "MissingAuthenticationTokenException"})
                .status,
            403u);
  EXPECT_EQ(
      MapError(Error{ErrorCode::kResourceExhausted, "m", "RequestEntityTooLargeException"}).status,
      413u);
  EXPECT_EQ(
      MapError(Error{ErrorCode::kResourceExhausted, "m", "RequestHeaderFieldsTooLargeException"})
          .status,
      431u);
}

}  // namespace
}  // namespace sluice::http
