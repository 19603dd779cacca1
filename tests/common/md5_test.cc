#include "common/md5.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/hex.h"

namespace sluice {
namespace {

std::string Hex(const Md5Digest& digest) { return HexEncode(digest); }

std::vector<Md5Digest> Many(const std::vector<std::string>& messages) {
  std::vector<std::string_view> views(messages.begin(), messages.end());
  std::vector<Md5Digest> digests(messages.size());
  Md5Many(views, digests);
  return digests;
}

// RFC 1321, appendix A.5.
const std::vector<std::pair<std::string, std::string>> kRfcSuite = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

TEST(Md5Test, MatchesTheRfcTestSuiteOneAtATimeAndSideBySide) {
  std::vector<std::string> messages;
  for (const auto& [message, digest] : kRfcSuite) {
    EXPECT_EQ(Hex(Md5(message)), digest) << message;
    messages.push_back(message);
  }
  const std::vector<Md5Digest> digests = Many(messages);
  for (size_t i = 0; i < kRfcSuite.size(); ++i) {
    EXPECT_EQ(Hex(digests[i]), kRfcSuite[i].second) << kRfcSuite[i].first;
  }
}

TEST(Md5Test, ManyAgreesWithOneAtATimeAcrossLengthsAndBatchSizes) {
  std::mt19937_64 random(7);
  auto message_of = [&random](size_t length) {
    std::string message(length, '\0');
    for (char& c : message) c = static_cast<char>(random());
    return message;
  };
  // The padding's edges (55/56 bytes: one or two tail blocks), whole blocks, long messages,
  // and batches that end inside, at and past a group of sixteen lanes.
  const std::vector<size_t> lengths = {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 51200};
  for (size_t batch : {1, 2, 15, 16, 17, 33, 40}) {
    std::vector<std::string> messages;
    for (size_t i = 0; i < batch; ++i) {
      const bool mixed = i % 3 == 0;
      messages.push_back(message_of(mixed ? random() % 300 : lengths[i % lengths.size()]));
    }
    const std::vector<Md5Digest> digests = Many(messages);
    for (size_t i = 0; i < batch; ++i) {
      EXPECT_EQ(Hex(digests[i]), Hex(Md5(messages[i])))
          << "batch " << batch << ", message " << i << " of " << messages[i].size() << " bytes";
    }
  }
}

}  // namespace
}  // namespace sluice
