#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/segment.h"

namespace sluice::storage {

// The ordered segments of one shard log plus its two published bounds: the trim horizon
// (the oldest position still stored) and the tail (one past the newest visible record).
// Readers look segments up here without touching the append path. Thread-safe: the list
// is guarded by mu_, the bounds are atomics (the tail is published with release order
// after the segment data it covers).
class SegmentSet {
 public:
  SegmentSet() = default;
  SegmentSet(const SegmentSet&) = delete;
  SegmentSet& operator=(const SegmentSet&) = delete;

  // Replaces the list (at open); `segments` are sorted by base position.
  void Reset(std::vector<std::shared_ptr<Segment>> segments, uint64_t tail_position);
  void Add(std::shared_ptr<Segment> segment);
  // Removes the oldest segment (retention), moving the trim horizon to the next one.
  void RemoveFront();
  // Removes the newest segment (undoing a roll after a failed write).
  void RemoveBack();

  // The segment holding `position`: the last one whose base is <= position. Null if
  // `position` is below the first segment.
  std::shared_ptr<Segment> Find(uint64_t position) const;
  // The segment after `segment`, or null.
  std::shared_ptr<Segment> Next(const Segment& segment) const;
  std::vector<std::shared_ptr<Segment>> Snapshot() const;
  std::shared_ptr<Segment> Back() const;

  uint64_t trim_horizon() const { return trim_horizon_.load(std::memory_order_acquire); }
  uint64_t tail_position() const { return tail_position_.load(std::memory_order_acquire); }
  void PublishTail(uint64_t tail_position) {
    tail_position_.store(tail_position, std::memory_order_release);
  }

 private:
  void UpdateHorizon();  // requires mu_

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Segment>> segments_;  // guarded by mu_
  std::atomic<uint64_t> trim_horizon_{0};
  std::atomic<uint64_t> tail_position_{0};
};

}  // namespace sluice::storage
