#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "storage/env.h"
#include "storage/record.h"

namespace sluice::storage {

// How much one read may return, and whether it may wait for the disk. At least one
// record comes back when one is readable, even if it alone is larger than max_bytes.
struct ReadLimits {
  size_t max_records = 10000;           // GetRecords' Limit maximum
  size_t max_bytes = size_t{10} << 20;  // partition key + explicit hash key + data bytes
  // kCachedOnly: stop before the first bytes not in memory (ReadBatch::needs_disk).
  ReadWait wait = ReadWait::kMayWait;
};

// The result of ShardLog::Read: records whose bytes live in buffers the batch owns, read
// from the segment files with one copy. Reusing one batch across reads reuses its
// buffers. Not thread-safe; movable, not copyable.
class ReadBatch {
 public:
  ReadBatch() = default;
  ReadBatch(ReadBatch&&) = default;
  ReadBatch& operator=(ReadBatch&&) = default;

  // Valid until the batch is cleared, reused or destroyed.
  std::span<const Record> records() const { return records_; }
  bool empty() const { return records_.empty(); }
  // Where the next read continues: one past the last record returned, or the position
  // read from (moved up to the trim horizon) when nothing came back.
  uint64_t next_position() const { return next_position_; }
  // Sum of partition key, explicit hash key and data bytes of the records.
  uint64_t payload_bytes() const { return payload_bytes_; }
  // A ReadWait::kCachedOnly read stopped short of its limits and of the data's end: what
  // follows next_position() is on the disk only (a read that may wait gets it).
  bool needs_disk() const { return needs_disk_; }
  // Drops the records; keeps the buffers for reuse.
  void Clear();

 private:
  friend class LogReader;

  struct Buffer {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
  };
  // A buffer of at least `bytes` bytes, valid until Clear.
  char* AllocateBuffer(size_t bytes);

  std::vector<Record> records_;
  std::vector<Buffer> buffers_;
  size_t buffers_used_ = 0;
  uint64_t next_position_ = 0;
  uint64_t payload_bytes_ = 0;
  bool needs_disk_ = false;
};

}  // namespace sluice::storage
