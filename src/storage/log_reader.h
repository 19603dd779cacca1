#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/read_batch.h"
#include "storage/segment_set.h"

namespace sluice::storage {

// The read side of one shard log: reads, seeks by position and time, and a full check.
// It sees only what the writer published as durable (each segment's visible end and the
// log's tail) and takes no lock the writer holds, so readers never block appends nor see
// an unacknowledged record. Every returned record's checksum is verified; corruption is
// reported as kDataLoss naming the segment file and offset.
//
// Thread-safe (const); calls block on file reads (usually from the page cache).
class LogReader {
 public:
  LogReader(const SegmentSet* segments, std::string name);

  [[nodiscard]] Status Read(uint64_t position, const ReadLimits& limits, ReadBatch* batch) const;
  [[nodiscard]] Result<uint64_t> SeekTime(int64_t timestamp_ms) const;
  [[nodiscard]] Result<uint64_t> FirstPositionAtOrAfter(uint64_t position) const;
  [[nodiscard]] Status Verify() const;

 private:
  // A frame start: the frame at `offset` of `segment` holds `position`.
  struct Cursor {
    std::shared_ptr<Segment> segment;
    uint64_t offset = 0;
    uint64_t position = 0;
  };

  // The index entry at or before `position` (moved up to the trim horizon).
  [[nodiscard]] Result<Cursor> Locate(uint64_t position) const;
  // Reads one window of whole frames at the cursor, appending records from `*target`
  // on; returns true when the read is complete (a limit reached or the data ends).
  [[nodiscard]] Result<bool> ReadWindow(Cursor& cursor, uint64_t& target, uint64_t tail,
                                        const ReadLimits& limits, ReadBatch* batch) const;
  // Where the next read window (which starts at the cursor) ends: a frame boundary.
  uint64_t WindowEnd(const Cursor& cursor, uint64_t target, uint64_t end, const ReadLimits& limits,
                     const ReadBatch& batch) const;
  Error Corrupt(const Segment& segment, uint64_t offset, std::string_view what) const;
  // kDataLoss if `offset` is in the damaged part of `segment`.
  [[nodiscard]] Status CheckDamage(const Segment& segment, uint64_t offset) const;

  const SegmentSet* segments_;
  const std::string name_;
};

}  // namespace sluice::storage
