#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/result.h"
#include "storage/record.h"
#include "storage/seal.h"

namespace sluice::storage {

// The frames of a segment file (layout and rules: docs/formats/shard-log.md). Both kinds
// start with the same 32 bytes: CRC32C, size, type, flags, a type-specific field, the
// (first) position and the arrival time, which is all a scan needs to walk, index and
// check frames without a key.
//  - A record frame (type 1) holds one record: partition key, explicit hash key, data.
//  - A sealed batch (type 2) holds consecutive records as record frames encrypted with
//    AES-256-GCM; its clear header adds the record count and the key id.

inline constexpr size_t kFrameHeaderBytes = 32;  // a record frame's header; every frame's prefix
inline constexpr uint8_t kFrameTypeRecord = 1;
inline constexpr uint8_t kFrameTypeSealedBatch = 2;

inline constexpr size_t kMaxFrameBytes =
    kFrameHeaderBytes + kMaxPartitionKeyBytes + kMaxExplicitHashKeyBytes + kMaxRecordDataBytes;

// A sealed batch: a 48-byte header (the common prefix, key id and nonce), the encrypted
// record frames, the GCM tag. It is at most as large as a sealed single maximal record.
inline constexpr size_t kSealedFrameHeaderBytes = 48;
inline constexpr size_t kSealedFrameOverhead = kSealedFrameHeaderBytes + kSealTagBytes;
inline constexpr size_t kMaxSealedFrameBytes = kSealedFrameOverhead + kMaxFrameBytes;

// Bytes the frame of `record` takes.
inline size_t RecordFrameSize(const RecordInput& record) {
  return kFrameHeaderBytes + record.partition_key.size() + record.explicit_hash_key.size() +
         record.data.size();
}

// Bytes a sealed batch of `plain_bytes` of record frames takes.
inline size_t SealedFrameSize(size_t plain_bytes) { return kSealedFrameOverhead + plain_bytes; }

// Writes the frame of `record` to `out`, which has RecordFrameSize(record) bytes. The
// record must respect the kMax* limits (callers validate).
void EncodeRecordFrame(uint64_t position, int64_t arrival_ms, const RecordInput& record, char* out);

// Completes a sealed batch in `out` (SealedFrameSize(plain_bytes) bytes) whose
// `record_count` record frames, for positions from `first_position`, the caller wrote at
// out + kSealedFrameHeaderBytes: encrypts them in place under `cipher` and `nonce`, and
// writes the header, the tag and the checksum.
void SealBatchFrame(SealCipher& cipher, std::span<const char, kSealNonceBytes> nonce,
                    uint64_t first_position, uint32_t record_count, int64_t arrival_ms,
                    size_t plain_bytes, char* out);

// Decrypts the sealed batch `frame` (a whole frame, checksum verified, whose key is
// `cipher`'s) in place; returns its record frames, a view into `frame`. kDataLoss if the
// GCM tag does not verify: nothing in `frame` may then be used.
[[nodiscard]] Result<std::string_view> OpenBatchFrame(SealCipher& cipher, std::span<char> frame);

// What DecodeFrame found at the start of its input.
enum class FrameStatus {
  kValid,      // a whole frame; `size` and the header fields are set
  kTruncated,  // the input ends inside the frame; `size` is its full size, or 0 when
               // even the header is incomplete
  kEnd,        // zero bytes where a header should be: unused (preallocated) space
  kCorrupt,    // a bad checksum, type, flags or length
};

struct DecodedFrame {
  FrameStatus status = FrameStatus::kCorrupt;
  uint32_t size = 0;
  uint8_t type = 0;
  // The frame holds positions [record.position, record.position + record_count).
  uint32_t record_count = 0;
  uint32_t key_id = 0;  // sealed batches
  // Record frames: the record, views into the decoded input. Sealed batches: only its
  // first position and arrival time.
  Record record;
};

// Decodes the frame at the start of `bytes`. With verify_crc false only the header is
// checked (for skipping frames); a record returned that way must not be served.
DecodedFrame DecodeFrame(std::string_view bytes, bool verify_crc);

// Whether the checksum of `frame` (a whole frame) matches.
bool FrameChecksumValid(std::string_view frame);

}  // namespace sluice::storage
