#include "http/router.h"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

boost::asio::awaitable<Result<std::string>> Empty(const OperationCall&) { co_return "{}"; }

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.AddStandardServices();
    router_.AddOperation("Kinesis_20131202", "ListStreams", Empty);
  }

  Metrics metrics_;
  Router router_{metrics_};
};

TEST_F(RouterTest, FindsAnOperationByTarget) {
  auto service = router_.FindService("Kinesis_20131202.ListStreams");
  ASSERT_TRUE(service);
  EXPECT_EQ((*service)->signing_name, "kinesis");
  auto operation = router_.FindOperation(**service, "Kinesis_20131202.ListStreams");
  ASSERT_TRUE(operation);
  EXPECT_EQ((*operation)->name, "ListStreams");
}

TEST_F(RouterTest, KnowsTheStandardServicesSigningNames) {
  EXPECT_EQ((*router_.FindService("Firehose_20150804.X"))->signing_name, "firehose");
  EXPECT_EQ((*router_.FindService("AWSGlue.X"))->signing_name, "glue");
  EXPECT_EQ((*router_.FindService("AmazonAthena.X"))->signing_name, "athena");
}

TEST_F(RouterTest, UnknownServiceOrTargetIsUnknownOperation) {
  for (std::string_view target : {"", "NoDot", "Nope_2020.ListStreams", ".ListStreams"}) {
    auto service = router_.FindService(target);
    ASSERT_FALSE(service) << target;
    EXPECT_EQ(service.error().wire_type, "UnknownOperationException");
  }
}

TEST_F(RouterTest, UnknownOperationOfAKnownService) {
  auto service = router_.FindService("Kinesis_20131202.Teleport");
  ASSERT_TRUE(service);
  auto operation = router_.FindOperation(**service, "Kinesis_20131202.Teleport");
  ASSERT_FALSE(operation);
  EXPECT_EQ(operation.error().wire_type, "UnknownOperationException");
  EXPECT_NE(operation.error().message.find("Teleport"), std::string::npos);
}

TEST_F(RouterTest, AnOperationIsFoundOnlyUnderItsOwnService) {
  auto firehose = router_.FindService("Firehose_20150804.ListStreams");
  ASSERT_TRUE(firehose);
  EXPECT_FALSE(router_.FindOperation(**firehose, "Firehose_20150804.ListStreams"));
}

}  // namespace
}  // namespace sluice::http
