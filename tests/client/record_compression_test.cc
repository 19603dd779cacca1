#include <gtest/gtest.h>

#include "sluice/producer.h"

namespace sluice::client {
namespace {

std::string Sample() {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "{\"trip\":" + std::to_string(i) + ",\"fare\":12.5},";
  return text;
}

TEST(RecordCompressionTest, ZstdAndSnappyRoundTripAndAreMarked) {
  for (Compression compression : {Compression::kZstd, Compression::kSnappy}) {
    auto compressed = CompressRecord(Sample(), compression);
    ASSERT_TRUE(compressed);
    EXPECT_TRUE(compressed->starts_with(kCompressedMagic));
    EXPECT_TRUE(IsCompressedRecord(*compressed));
    EXPECT_LT(compressed->size(), Sample().size());
    auto restored = DecompressRecord(*compressed);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(*restored, Sample());
  }
}

TEST(RecordCompressionTest, EmptyDataRoundTrips) {
  auto compressed = CompressRecord("", Compression::kZstd);
  ASSERT_TRUE(compressed);
  EXPECT_EQ(DecompressRecord(*compressed).value(), "");
}

TEST(RecordCompressionTest, UnmarkedDataPassesThrough) {
  EXPECT_FALSE(IsCompressedRecord("plain"));
  EXPECT_EQ(DecompressRecord("plain").value(), "plain");
  const std::string magic_only(kCompressedMagic);
  EXPECT_EQ(DecompressRecord(magic_only).value(), magic_only);
}

TEST(RecordCompressionTest, DamagedRecordsAreDataLoss) {
  auto compressed = CompressRecord(Sample(), Compression::kZstd);
  ASSERT_TRUE(compressed);
  std::string damaged = compressed->substr(0, compressed->size() / 2);
  auto result = DecompressRecord(damaged);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDataLoss);
  std::string bad_snappy = std::string(kCompressedMagic) + '\2' + "\xff\xff\xff\xff\xff\xff";
  EXPECT_FALSE(DecompressRecord(bad_snappy));
  EXPECT_FALSE(CompressRecord("x", Compression::kNone));
}

}  // namespace
}  // namespace sluice::client
