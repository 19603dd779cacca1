#include "protocol/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace sluice::protocol {
namespace {

TEST(JsonWriterTest, WritesNestedValuesWithCommas) {
  JsonWriter writer;
  writer.BeginObject()
      .Key("a")
      .Int(-1)
      .Key("b")
      .BeginArray()
      .UInt(1)
      .UInt(2)
      .BeginObject()
      .EndObject()
      .EndArray()
      .Key("c")
      .Bool(true)
      .Key("d")
      .Null()
      .Key("e")
      .Double(1.5)
      .EndObject();
  EXPECT_EQ(writer.str(), R"({"a":-1,"b":[1,2,{}],"c":true,"d":null,"e":1.5})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter writer;
  writer.String("q\"b\\n\n\x01\x1f");
  EXPECT_EQ(writer.str(), R"("q\"b\\n\n\u0001\u001f")");
}

TEST(JsonWriterTest, PassesUtf8Through) {
  JsonWriter writer;
  writer.String("taxi \xE2\x86\x92 lake");
  EXPECT_EQ(writer.str(), "\"taxi \xE2\x86\x92 lake\"");
}

TEST(JsonWriterTest, NonFiniteDoublesBecomeNull) {
  JsonWriter writer;
  writer.BeginArray().Double(std::numeric_limits<double>::infinity()).EndArray();
  EXPECT_EQ(writer.str(), "[null]");
}

TEST(ErrorBodyTest, ParsesBackToTypeAndMessage) {
  std::string body = ErrorBody("ResourceNotFoundException", "Stream \"x\" not found");
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body);
  EXPECT_EQ(std::string_view(root["__type"]), "ResourceNotFoundException");
  EXPECT_EQ(std::string_view(root["message"]), "Stream \"x\" not found");
}

}  // namespace
}  // namespace sluice::protocol
