#include "aggregation/protobuf_wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace sluice::client {
namespace {

std::string Varint(uint64_t value) {
  std::string out;
  AppendVarint(value, out);
  return out;
}

TEST(ProtobufWireTest, EncodesVarintsAsProtobufDoes) {
  EXPECT_EQ(Varint(0), std::string("\x00", 1));
  EXPECT_EQ(Varint(1), "\x01");
  EXPECT_EQ(Varint(127), "\x7f");
  EXPECT_EQ(Varint(128), "\x80\x01");
  EXPECT_EQ(Varint(300), "\xac\x02");
  EXPECT_EQ(Varint(std::numeric_limits<uint64_t>::max()),
            "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
}

TEST(ProtobufWireTest, VarintSizeMatchesEncoding) {
  for (int bits = 0; bits <= 64; ++bits) {
    const uint64_t value = bits == 64 ? std::numeric_limits<uint64_t>::max()
                                      : (bits == 0 ? 0 : (uint64_t{1} << bits) - 1);
    EXPECT_EQ(VarintSize(value), Varint(value).size()) << value;
    if (bits < 64) {
      EXPECT_EQ(VarintSize(value + 1), Varint(value + 1).size()) << value + 1;
    }
  }
}

TEST(ProtobufWireTest, FieldSizesMatchEncoding) {
  for (size_t length : {0, 1, 127, 128, 16383, 16384, 1 << 20}) {
    std::string out;
    AppendLengthDelimitedField(15, std::string(length, 'x'), out);
    EXPECT_EQ(out.size(), LengthDelimitedFieldSize(length));
  }
  std::string out;
  AppendVarintField(1, 300, out);
  EXPECT_EQ(out, "\x08\xac\x02");
  EXPECT_EQ(out.size(), VarintFieldSize(300));
}

TEST(ProtobufWireTest, ReadsBackWhatItWrites) {
  std::string message;
  AppendVarintField(1, 150, message);
  AppendLengthDelimitedField(2, "testing", message);
  AppendVarintField(3, std::numeric_limits<uint64_t>::max(), message);

  WireReader reader(message);
  auto first = reader.Next();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->number, 1u);
  EXPECT_EQ(first->type, WireType::kVarint);
  EXPECT_EQ(first->varint, 150u);
  auto second = reader.Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->number, 2u);
  EXPECT_EQ(second->type, WireType::kLengthDelimited);
  EXPECT_EQ(second->bytes, "testing");
  auto third = reader.Next();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->varint, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(reader.done());
}

TEST(ProtobufWireTest, ReadsFixedFieldsAndGroups) {
  // field 1 fixed64, field 2 fixed32, field 3 a group holding a nested group and a varint.
  const std::string message =
      "\x09"
      "12345678"
      "\x15"
      "abcd"
      "\x1b"
      "\x23\x28\x01\x24"
      "\x08\x05"
      "\x1c"
      "\x20\x07";
  WireReader reader(message);
  auto fixed64 = reader.Next();
  ASSERT_TRUE(fixed64);
  EXPECT_EQ(fixed64->type, WireType::kFixed64);
  EXPECT_EQ(fixed64->bytes, "12345678");
  auto fixed32 = reader.Next();
  ASSERT_TRUE(fixed32);
  EXPECT_EQ(fixed32->bytes, "abcd");
  auto group = reader.Next();
  ASSERT_TRUE(group) << group.error().message;
  EXPECT_EQ(group->type, WireType::kStartGroup);
  EXPECT_EQ(group->bytes, std::string("\x23\x28\x01\x24\x08\x05", 6));
  auto last = reader.Next();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->number, 4u);
  EXPECT_EQ(last->varint, 7u);
  EXPECT_TRUE(reader.done());
}

void ExpectMalformed(const std::string& message) {
  WireReader reader(message);
  while (!reader.done()) {
    auto field = reader.Next();
    if (!field) {
      EXPECT_EQ(field.error().code, ErrorCode::kInvalidArgument);
      return;
    }
  }
  ADD_FAILURE() << "read without error";
}

TEST(ProtobufWireTest, RejectsMalformedInput) {
  ExpectMalformed("\x08");                                              // value missing
  ExpectMalformed("\x08\x80");                                          // truncated varint
  ExpectMalformed("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02");      // over 64 bits
  ExpectMalformed("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x00");  // 11 bytes
  ExpectMalformed(
      "\x12\x05"
      "abc");                                                   // length past the end
  ExpectMalformed("\x12\xff\xff\xff\xff\xff\xff\xff\xff\x7f");  // huge length
  ExpectMalformed(
      "\x09"
      "1234");  // short fixed64
  ExpectMalformed(
      "\x0d"
      "12");                                    // short fixed32
  ExpectMalformed("\x0e");                      // wire type 6
  ExpectMalformed("\x0f");                      // wire type 7
  ExpectMalformed(std::string("\x00\x01", 2));  // field number 0
  ExpectMalformed("\x0c");                      // end of no group
  ExpectMalformed("\x0b\x08\x01");              // group never ends
  ExpectMalformed("\x0b\x14");                  // ends another group
}

TEST(ProtobufWireTest, RejectsGroupsNestedTooDeeply) {
  ExpectMalformed(std::string(100, '\x0b') + std::string(100, '\x0c'));
}

}  // namespace
}  // namespace sluice::client
