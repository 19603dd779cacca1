#include "aggregation/aggregated_record.h"

#include <openssl/evp.h>

#include "common/assert.h"

namespace sluice::client {

std::array<char, kAggregateDigestBytes> AggregateDigest(std::string_view protobuf) {
  std::array<char, kAggregateDigestBytes> digest{};
  unsigned int length = 0;
  // MD5 is in OpenSSL's default provider; a failure here is a broken installation.
  const int ok =
      EVP_Digest(protobuf.data(), protobuf.size(), reinterpret_cast<unsigned char*>(digest.data()),
                 &length, EVP_md5(), nullptr);
  SLUICE_ASSERT(ok == 1 && length == kAggregateDigestBytes, "OpenSSL MD5 failed");
  return digest;
}

}  // namespace sluice::client
