#include <snappy.h>
#include <zstd.h>

#include "sluice/producer.h"

// Per-record compression, a sluice extension (docs/producer.md, "Compression"):
//   kCompressedMagic (4 bytes) | algorithm (1 byte: 1 zstd, 2 snappy) | compressed bytes
// The zstd frame records the original size; so does snappy's format.
namespace sluice::client {

namespace {

constexpr char kZstdTag = 1;
constexpr char kSnappyTag = 2;
constexpr size_t kHeaderBytes = kCompressedMagic.size() + 1;
// A marked record never decompresses to more than this (a guard against bombs).
constexpr uint64_t kMaxDecompressedBytes = uint64_t{256} << 20;

tl::unexpected<Error> Corrupt(std::string_view why) {
  return Fail(ErrorCode::kDataLoss, "compressed record does not decompress: " + std::string(why));
}

}  // namespace

bool IsCompressedRecord(std::string_view data) {
  return data.size() >= kHeaderBytes && data.starts_with(kCompressedMagic) &&
         (data[kCompressedMagic.size()] == kZstdTag || data[kCompressedMagic.size()] == kSnappyTag);
}

Result<std::string> CompressRecord(std::string_view data, Compression compression, int level) {
  std::string out(kCompressedMagic);
  switch (compression) {
    case Compression::kNone:
      return Fail(ErrorCode::kInvalidArgument, "no compression algorithm chosen");
    case Compression::kZstd: {
      out.push_back(kZstdTag);
      const size_t bound = ZSTD_compressBound(data.size());
      out.resize(kHeaderBytes + bound);
      const size_t written = ZSTD_compress(out.data() + kHeaderBytes, bound, data.data(),
                                           data.size(), level == 0 ? ZSTD_CLEVEL_DEFAULT : level);
      if (ZSTD_isError(written)) {
        return Fail(ErrorCode::kInternal,
                    std::string("zstd compression failed: ") + ZSTD_getErrorName(written));
      }
      out.resize(kHeaderBytes + written);
      return out;
    }
    case Compression::kSnappy: {
      out.push_back(kSnappyTag);
      std::string compressed;
      snappy::Compress(data.data(), data.size(), &compressed);
      out += compressed;
      return out;
    }
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown compression algorithm");
}

Result<std::string> DecompressRecord(std::string_view data) {
  if (!IsCompressedRecord(data)) return std::string(data);
  const char tag = data[kCompressedMagic.size()];
  const std::string_view payload = data.substr(kHeaderBytes);
  std::string out;
  if (tag == kZstdTag) {
    const unsigned long long size = ZSTD_getFrameContentSize(payload.data(), payload.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
      return Corrupt("not a zstd frame with its content size");
    }
    if (size > kMaxDecompressedBytes) return Corrupt("larger than 256 MiB");
    out.resize(size);
    const size_t written = ZSTD_decompress(out.data(), out.size(), payload.data(), payload.size());
    if (ZSTD_isError(written) || written != size) return Corrupt("zstd frame is damaged");
    return out;
  }
  size_t size = 0;
  if (!snappy::GetUncompressedLength(payload.data(), payload.size(), &size)) {
    return Corrupt("not a snappy block");
  }
  if (size > kMaxDecompressedBytes) return Corrupt("larger than 256 MiB");
  if (!snappy::Uncompress(payload.data(), payload.size(), &out)) {
    return Corrupt("snappy block is damaged");
  }
  return out;
}

}  // namespace sluice::client
