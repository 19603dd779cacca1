#include "protocol/json_request.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::protocol {
namespace {

class JsonRequestParserTest : public ::testing::Test {
 protected:
  JsonRequestParser parser_;
};

TEST_F(JsonRequestParserTest, ParsesAnObject) {
  auto root = parser_.Parse(R"({"StreamName":"trips","Limit":5})");
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(std::string_view((*root)["StreamName"]), "trips");
  EXPECT_EQ(int64_t((*root)["Limit"]), 5);
}

TEST_F(JsonRequestParserTest, ParsesAPaddedBodyInPlaceWithoutPointingIntoIt) {
  const std::string json = R"({"StreamName":"trips","Limit":5})";
  // Whatever lies in the spare capacity (here a stray "}x") is not part of the document.
  std::string body = json + std::string(JsonRequestParser::kPadding, 'x') + "}";
  body.resize(json.size());
  ASSERT_GE(body.capacity() - body.size(), JsonRequestParser::kPadding);
  auto root = parser_.Parse(body, body.capacity() - body.size());
  ASSERT_TRUE(root) << root.error().message;
  body.assign(body.size(), 'x');  // the document keeps its own copy of what it holds
  EXPECT_EQ(std::string_view((*root)["StreamName"]), "trips");
  EXPECT_EQ(int64_t((*root)["Limit"]), 5);
}

TEST_F(JsonRequestParserTest, ReadsAnEmptyBodyAsAnEmptyObject) {
  auto root = parser_.Parse("");
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->is_object());
}

TEST_F(JsonRequestParserTest, RefusesInvalidJsonAsSerializationException) {
  for (std::string_view body : {"{", "{\"a\":}", "nope", "{\"a\":1}}", "\x01\x02\x03"}) {
    auto root = parser_.Parse(body);
    ASSERT_FALSE(root) << body;
    EXPECT_EQ(root.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(root.error().wire_type, "SerializationException");
  }
}

TEST_F(JsonRequestParserTest, RefusesInvalidUtf8) {
  auto root = parser_.Parse("{\"a\":\"\xff\xfe\"}");
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().wire_type, "SerializationException");
}

TEST_F(JsonRequestParserTest, RefusesANonObjectRoot) {
  auto root = parser_.Parse("[1,2]");
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().wire_type, "SerializationException");
  EXPECT_NE(root.error().message.find("object"), std::string::npos);
}

}  // namespace
}  // namespace sluice::protocol
