#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/frame.h"
#include "storage/read_batch.h"
#include "storage/seal.h"
#include "storage/segment_scanner.h"
#include "storage/segment_set.h"

namespace sluice::storage {

// The read side of one shard log: reads, seeks by position and time, and a full check.
// It sees only what the writer published as durable (each segment's visible end and the
// log's tail) and takes no lock the writer holds, so readers never block appends nor see
// an unacknowledged record. Every returned record's checksum is verified; corruption is
// reported as kDataLoss naming the segment file and offset.
//
// Sealed batches are opened with keys from `keys` (decrypted in place in the ReadBatch);
// seeks and position lookups need no key. A batch whose key is unknown or whose GCM tag
// does not verify is kDataLoss naming the log and its positions: none of its records is
// returned.
//
// Thread-safe (const); calls block on file reads, except a Read with ReadWait::kCachedOnly.
class LogReader {
 public:
  // `keys` may be null: sealed batches are then unreadable (kDataLoss).
  LogReader(const SegmentSet* segments, std::string name, std::shared_ptr<const KeyResolver> keys);

  [[nodiscard]] Status Read(uint64_t position, const ReadLimits& limits, ReadBatch* batch) const;
  [[nodiscard]] Result<uint64_t> SeekTime(int64_t timestamp_ms) const;
  [[nodiscard]] Result<uint64_t> FirstPositionAtOrAfter(uint64_t position) const;
  // Checks framing, checksums and sequence of every frame; with a key resolver, also opens
  // every sealed batch and checks the records inside.
  [[nodiscard]] Status Verify() const;

 private:
  // A frame start: the frame at `offset` of `segment` holds `position` (first).
  struct Cursor {
    std::shared_ptr<Segment> segment;
    uint64_t offset = 0;
    uint64_t position = 0;
  };
  // One Read in progress.
  struct ReadState {
    Cursor cursor;
    uint64_t target = 0;  // the next position to return
    uint64_t tail = 0;
    ReadLimits limits;
    ReadBatch* batch = nullptr;
    std::unique_ptr<SealCipher> cipher;  // of the last key met, for the next sealed batch
  };

  // The index entry at or before `position` (moved up to the trim horizon).
  [[nodiscard]] Result<Cursor> Locate(uint64_t position) const;
  // Reads one window of whole frames at the cursor, appending records from the target
  // on; returns true when the read is complete (a limit reached or the data ends).
  [[nodiscard]] Result<bool> ReadWindow(ReadState& read) const;
  // Where the next read window (which starts at the cursor) ends: a frame boundary.
  uint64_t WindowEnd(const ReadState& read, uint64_t end) const;
  // Appends `record` (at the target) unless the byte limit says stop; true when the read
  // is complete.
  bool Take(ReadState& read, const Record& record) const;
  // Opens the sealed batch `bytes` (at `offset` of the cursor's segment) in place and
  // takes its records from the target on.
  [[nodiscard]] Result<bool> TakeSealed(ReadState& read, const DecodedFrame& frame,
                                        std::span<char> bytes, uint64_t offset) const;
  // Decrypts the sealed batch `bytes` in place with the key it names, through `cipher`
  // (replaced when it holds another key); returns its record frames.
  [[nodiscard]] Result<std::string_view> OpenSealed(const DecodedFrame& frame,
                                                    std::span<char> bytes,
                                                    std::unique_ptr<SealCipher>& cipher) const;
  // Opens a sealed batch met by Verify (a copy in `scratch`) and checks its records.
  [[nodiscard]] Status VerifySealed(const Segment& segment, const SegmentScanner::Step& step,
                                    std::string& scratch,
                                    std::unique_ptr<SealCipher>& cipher) const;
  Error Corrupt(const Segment& segment, uint64_t offset, std::string_view what) const;
  // `cause` (why a sealed batch cannot be read) as an error naming the log, the batch's
  // positions, the segment file and offset; kNotFound becomes kDataLoss.
  Error SealedError(const Segment& segment, uint64_t offset, const DecodedFrame& frame,
                    const Error& cause) const;
  // kDataLoss if `offset` is in the damaged part of `segment`.
  [[nodiscard]] Status CheckDamage(const Segment& segment, uint64_t offset) const;

  const SegmentSet* segments_;
  const std::string name_;
  const std::shared_ptr<const KeyResolver> keys_;
};

}  // namespace sluice::storage
