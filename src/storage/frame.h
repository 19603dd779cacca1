#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/record.h"

namespace sluice::storage {

// The frame of one record in a segment file: a 32-byte header (CRC32C, size, type,
// flags, key lengths, position, arrival time) then the partition key, the explicit hash
// key and the data. Layout and rules: docs/formats/shard-log.md.

inline constexpr size_t kFrameHeaderBytes = 32;
inline constexpr uint8_t kFrameTypeRecord = 1;
// Reserved for sealed (AES-256-GCM) batches; this version never writes one and treats
// one as corrupt (segment format version 1 cannot contain it).
inline constexpr uint8_t kFrameTypeSealedBatch = 2;

inline constexpr size_t kMaxFrameBytes =
    kFrameHeaderBytes + kMaxPartitionKeyBytes + kMaxExplicitHashKeyBytes + kMaxRecordDataBytes;

// Bytes the frame of `record` takes.
inline size_t RecordFrameSize(const RecordInput& record) {
  return kFrameHeaderBytes + record.partition_key.size() + record.explicit_hash_key.size() +
         record.data.size();
}

// Writes the frame of `record` to `out`, which has RecordFrameSize(record) bytes. The
// record must respect the kMax* limits (callers validate).
void EncodeRecordFrame(uint64_t position, int64_t arrival_ms, const RecordInput& record, char* out);

// What DecodeFrame found at the start of its input.
enum class FrameStatus {
  kValid,      // a whole frame; `record` and `size` are set
  kTruncated,  // the input ends inside the frame; `size` is its full size, or 0 when
               // even the header is incomplete
  kEnd,        // zero bytes where a header should be: unused (preallocated) space
  kCorrupt,    // a bad checksum, type, flags or length
};

struct DecodedFrame {
  FrameStatus status = FrameStatus::kCorrupt;
  uint32_t size = 0;
  Record record;  // views into the decoded input
};

// Decodes the frame at the start of `bytes`. With verify_crc false only the header is
// checked (for skipping frames); a record returned that way must not be served.
DecodedFrame DecodeFrame(std::string_view bytes, bool verify_crc);

}  // namespace sluice::storage
