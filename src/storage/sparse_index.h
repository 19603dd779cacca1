#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace sluice::storage {

// One index point: the frame at byte `offset` of a segment holds `position` and arrived
// at `arrival_ms`. Arrival times never decrease along a shard, so one sorted list serves
// both position and time lookups.
struct IndexEntry {
  uint64_t position = 0;
  uint64_t offset = 0;
  int64_t arrival_ms = 0;

  bool operator==(const IndexEntry&) const = default;
};

// The sparse index of one segment: an entry for its first frame and then for the first
// frame at least `index_interval_bytes` past the previous entry, so a lookup lands at
// most about that many bytes before its target. Plain value; not thread-safe.
class SparseIndex {
 public:
  // Entries must come in increasing position and offset order (asserted); arrival times
  // should not decrease (the writer and recovery keep them so).
  void Append(const IndexEntry& entry);

  // The last entry with position <= `position`.
  std::optional<IndexEntry> Floor(uint64_t position) const;
  // The last entry with arrival time < `arrival_ms`.
  std::optional<IndexEntry> LastBefore(int64_t arrival_ms) const;
  // The first entry with offset >= `offset` (a frame boundary at or after it).
  std::optional<IndexEntry> FirstAtOrAfterOffset(uint64_t offset) const;

  const std::vector<IndexEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<IndexEntry> entries_;
};

}  // namespace sluice::storage
