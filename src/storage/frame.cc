#include "storage/frame.h"

#include <cstring>
#include <initializer_list>

#include "common/crc32c.h"
#include "storage/byte_order.h"

namespace sluice::storage {

// Header layout (little-endian): crc u32 @0 (of bytes [4, size)), size u32 @4, type u8
// @8, flags u8 @9, partition key length u16 @10, explicit hash key length u16 @12,
// reserved u16 @14, position u64 @16, arrival_ms i64 @24.

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

DecodedFrame DecodeFrame(std::string_view bytes, bool verify_crc) {
  DecodedFrame frame;
  if (bytes.size() < kFrameHeaderBytes) {
    frame.status = FrameStatus::kTruncated;
    return frame;
  }
  const char* p = bytes.data();
  uint32_t crc = LoadLittle32(p);
  uint32_t size = LoadLittle32(p + 4);
  if (crc == 0 && size == 0) {
    frame.status = FrameStatus::kEnd;
    return frame;
  }
  uint8_t type = static_cast<uint8_t>(p[8]);
  uint8_t flags = static_cast<uint8_t>(p[9]);
  size_t key_bytes = LoadLittle16(p + 10);
  size_t hash_key_bytes = LoadLittle16(p + 12);
  if (type != kFrameTypeRecord || flags != 0 || size < kFrameHeaderBytes || size > kMaxFrameBytes ||
      key_bytes > kMaxPartitionKeyBytes || hash_key_bytes > kMaxExplicitHashKeyBytes ||
      kFrameHeaderBytes + key_bytes + hash_key_bytes > size) {
    frame.status = FrameStatus::kCorrupt;
    return frame;
  }
  frame.size = size;
  if (size > bytes.size()) {
    frame.status = FrameStatus::kTruncated;
    return frame;
  }
  if (verify_crc && Crc32c(p + 4, size - 4) != crc) {
    frame.status = FrameStatus::kCorrupt;
    return frame;
  }
  frame.status = FrameStatus::kValid;
  frame.record.position = LoadLittle64(p + 16);
  frame.record.arrival_ms = static_cast<int64_t>(LoadLittle64(p + 24));
  const char* body = p + kFrameHeaderBytes;
  frame.record.partition_key = std::string_view(body, key_bytes);
  frame.record.explicit_hash_key = std::string_view(body + key_bytes, hash_key_bytes);
  size_t data_offset = kFrameHeaderBytes + key_bytes + hash_key_bytes;
  frame.record.data = std::string_view(p + data_offset, size - data_offset);
  return frame;
}

}  // namespace sluice::storage
