#include "storage/frame.h"

#include <cstring>
#include <initializer_list>

#include "common/crc32c.h"
#include "storage/byte_order.h"

namespace sluice::storage {

// Common prefix (little-endian): crc u32 @0 (of bytes [4, size)), size u32 @4, type u8 @8,
// flags u8 @9, position u64 @16 (sealed: the first), arrival_ms i64 @24.
// Record frame: partition key length u16 @10, explicit hash key length u16 @12, reserved
// u16 @14; the body from @32.
// Sealed batch: reserved u16 @10, record count u32 @12, key id u32 @32, nonce @36 (12);
// ciphertext from @48; tag in the last 16 bytes. The GCM additional data is [8, 48).

namespace {

constexpr size_t kNonceOffset = 36;
constexpr size_t kAadOffset = 8;

std::string_view SealedAad(const char* frame) {
  return std::string_view(frame + kAadOffset, kSealedFrameHeaderBytes - kAadOffset);
}

bool RecordHeaderValid(const char* p, uint32_t size) {
  size_t key_bytes = LoadLittle16(p + 10);
  size_t hash_key_bytes = LoadLittle16(p + 12);
  return size >= kFrameHeaderBytes && size <= kMaxFrameBytes &&
         key_bytes <= kMaxPartitionKeyBytes && hash_key_bytes <= kMaxExplicitHashKeyBytes &&
         kFrameHeaderBytes + key_bytes + hash_key_bytes <= size;
}

// Reads only the common 32-byte prefix: a scanner decides with it how much to read.
bool SealedHeaderValid(const char* p, uint32_t size) {
  uint64_t count = LoadLittle32(p + 12);
  return LoadLittle16(p + 10) == 0 && count > 0 && size <= kMaxSealedFrameBytes &&
         size >= kSealedFrameOverhead + count * kFrameHeaderBytes;
}

void SetRecord(const char* p, DecodedFrame& frame) {
  size_t key_bytes = LoadLittle16(p + 10);
  size_t hash_key_bytes = LoadLittle16(p + 12);
  const char* body = p + kFrameHeaderBytes;
  frame.record_count = 1;
  frame.record.partition_key = std::string_view(body, key_bytes);
  frame.record.explicit_hash_key = std::string_view(body + key_bytes, hash_key_bytes);
  size_t data_offset = kFrameHeaderBytes + key_bytes + hash_key_bytes;
  frame.record.data = std::string_view(p + data_offset, frame.size - data_offset);
}

}  // namespace

void EncodeRecordFrame(uint64_t position, int64_t arrival_ms, const RecordInput& record,
                       char* out) {
  size_t size = RecordFrameSize(record);
  StoreLittle32(out + 4, static_cast<uint32_t>(size));
  out[8] = static_cast<char>(kFrameTypeRecord);
  out[9] = 0;
  StoreLittle16(out + 10, static_cast<uint16_t>(record.partition_key.size()));
  StoreLittle16(out + 12, static_cast<uint16_t>(record.explicit_hash_key.size()));
  StoreLittle16(out + 14, 0);
  StoreLittle64(out + 16, position);
  StoreLittle64(out + 24, static_cast<uint64_t>(arrival_ms));
  char* body = out + kFrameHeaderBytes;
  for (std::string_view part : {record.partition_key, record.explicit_hash_key, record.data}) {
    if (part.empty()) continue;  // an empty view may have a null data()
    std::memcpy(body, part.data(), part.size());
    body += part.size();
  }
  StoreLittle32(out, Crc32c(out + 4, size - 4));
}

void SealBatchFrame(SealCipher& cipher, std::span<const char, kSealNonceBytes> nonce,
                    uint64_t first_position, uint32_t record_count, int64_t arrival_ms,
                    size_t plain_bytes, char* out) {
  size_t size = SealedFrameSize(plain_bytes);
  StoreLittle32(out + 4, static_cast<uint32_t>(size));
  out[8] = static_cast<char>(kFrameTypeSealedBatch);
  out[9] = 0;
  StoreLittle16(out + 10, 0);
  StoreLittle32(out + 12, record_count);
  StoreLittle64(out + 16, first_position);
  StoreLittle64(out + 24, static_cast<uint64_t>(arrival_ms));
  StoreLittle32(out + 32, cipher.key_id());
  std::memcpy(out + kNonceOffset, nonce.data(), kSealNonceBytes);
  cipher.Seal(nonce, SealedAad(out), std::span<char>(out + kSealedFrameHeaderBytes, plain_bytes),
              std::span<char, kSealTagBytes>(out + size - kSealTagBytes, kSealTagBytes));
  StoreLittle32(out, Crc32c(out + 4, size - 4));
}

Result<std::string_view> OpenBatchFrame(SealCipher& cipher, std::span<char> frame) {
  char* p = frame.data();
  std::span<char> data(p + kSealedFrameHeaderBytes, frame.size() - kSealedFrameOverhead);
  auto opened = cipher.Open(
      std::span<const char, kSealNonceBytes>(p + kNonceOffset, kSealNonceBytes), SealedAad(p), data,
      std::span<const char, kSealTagBytes>(data.data() + data.size(), kSealTagBytes));
  if (!opened) return Fail(opened.error());
  return std::string_view(data.data(), data.size());
}

DecodedFrame DecodeFrame(std::string_view bytes, bool verify_crc) {
  DecodedFrame frame;
  if (bytes.size() < kFrameHeaderBytes) {
    frame.status = FrameStatus::kTruncated;
    return frame;
  }
  const char* p = bytes.data();
  uint32_t size = LoadLittle32(p + 4);
  if (LoadLittle32(p) == 0 && size == 0) {
    frame.status = FrameStatus::kEnd;
    return frame;
  }
  frame.type = static_cast<uint8_t>(p[8]);
  bool sealed = frame.type == kFrameTypeSealedBatch;
  bool header_valid =
      p[9] == 0 && (frame.type == kFrameTypeRecord ? RecordHeaderValid(p, size)
                                                   : sealed && SealedHeaderValid(p, size));
  if (!header_valid) {
    frame.status = FrameStatus::kCorrupt;
    return frame;
  }
  frame.size = size;
  if (size > bytes.size()) {
    frame.status = FrameStatus::kTruncated;
    return frame;
  }
  if (verify_crc && !FrameChecksumValid(bytes.substr(0, size))) {
    frame.status = FrameStatus::kCorrupt;
    return frame;
  }
  frame.status = FrameStatus::kValid;
  frame.record.position = LoadLittle64(p + 16);
  frame.record.arrival_ms = static_cast<int64_t>(LoadLittle64(p + 24));
  if (sealed) {
    frame.record_count = LoadLittle32(p + 12);
    frame.key_id = LoadLittle32(p + 32);
  } else {
    SetRecord(p, frame);
  }
  return frame;
}

bool FrameChecksumValid(std::string_view frame) {
  return LoadLittle32(frame.data()) == Crc32c(frame.data() + 4, frame.size() - 4);
}

}  // namespace sluice::storage
