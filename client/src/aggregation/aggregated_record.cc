#include "aggregation/aggregated_record.h"

#include <cstring>
#include <vector>

#include "common/md5.h"

namespace sluice::client {

namespace {

std::string_view ProtobufOf(const std::string& unsealed) {
  return std::string_view(unsealed).substr(kAggregateMagic.size());
}

}  // namespace

std::array<char, kAggregateDigestBytes> AggregateDigest(std::string_view protobuf) {
  const Md5Digest md5 = Md5(protobuf);
  std::array<char, kAggregateDigestBytes> digest{};
  std::memcpy(digest.data(), md5.data(), digest.size());
  return digest;
}

void SealAggregates(std::span<std::string* const> unsealed) {
  std::vector<std::string_view> protobufs;
  protobufs.reserve(unsealed.size());
  for (const std::string* data : unsealed) protobufs.push_back(ProtobufOf(*data));
  std::vector<Md5Digest> digests(unsealed.size());
  Md5Many(protobufs, digests);
  for (size_t i = 0; i < unsealed.size(); ++i) {
    unsealed[i]->append(reinterpret_cast<const char*>(digests[i].data()), digests[i].size());
  }
}

}  // namespace sluice::client
