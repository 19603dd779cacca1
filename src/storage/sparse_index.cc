#include "storage/sparse_index.h"

#include <algorithm>

#include "common/assert.h"

namespace sluice::storage {

void SparseIndex::Append(const IndexEntry& entry) {
  SLUICE_ASSERT(entries_.empty() || (entry.position > entries_.back().position &&
                                     entry.offset > entries_.back().offset),
                "sparse index entries out of order");
  entries_.push_back(entry);
}

std::optional<IndexEntry> SparseIndex::Floor(uint64_t position) const {
  auto after = std::upper_bound(
      entries_.begin(), entries_.end(), position,
      [](uint64_t value, const IndexEntry& entry) { return value < entry.position; });
  if (after == entries_.begin()) return std::nullopt;
  return *(after - 1);
}

std::optional<IndexEntry> SparseIndex::LastBefore(int64_t arrival_ms) const {
  auto first_not_before = std::lower_bound(
      entries_.begin(), entries_.end(), arrival_ms,
      [](const IndexEntry& entry, int64_t value) { return entry.arrival_ms < value; });
  if (first_not_before == entries_.begin()) return std::nullopt;
  return *(first_not_before - 1);
}

std::optional<IndexEntry> SparseIndex::FirstAtOrAfterOffset(uint64_t offset) const {
  auto first = std::lower_bound(
      entries_.begin(), entries_.end(), offset,
      [](const IndexEntry& entry, uint64_t value) { return entry.offset < value; });
  if (first == entries_.end()) return std::nullopt;
  return *first;
}

}  // namespace sluice::storage
