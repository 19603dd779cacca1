#include "storage/segment_set.h"

#include <algorithm>

#include "common/assert.h"

namespace sluice::storage {

void SegmentSet::Reset(std::vector<std::shared_ptr<Segment>> segments, uint64_t tail_position) {
  std::lock_guard lock(mu_);
  segments_ = std::move(segments);
  UpdateHorizon();
  tail_position_.store(tail_position, std::memory_order_release);
}

void SegmentSet::Add(std::shared_ptr<Segment> segment) {
  std::lock_guard lock(mu_);
  SLUICE_ASSERT(segments_.empty() || segments_.back()->base_position() < segment->base_position(),
                "segments added out of order");
  segments_.push_back(std::move(segment));
  UpdateHorizon();
}

void SegmentSet::RemoveFront() {
  std::lock_guard lock(mu_);
  SLUICE_ASSERT(segments_.size() > 1, "the last segment of a shard log cannot be removed");
  segments_.erase(segments_.begin());
  UpdateHorizon();
}

void SegmentSet::RemoveBack() {
  std::lock_guard lock(mu_);
  SLUICE_ASSERT(segments_.size() > 1, "the last segment of a shard log cannot be removed");
  segments_.pop_back();
}

std::shared_ptr<Segment> SegmentSet::Find(uint64_t position) const {
  std::lock_guard lock(mu_);
  auto after = std::upper_bound(segments_.begin(), segments_.end(), position,
                                [](uint64_t value, const std::shared_ptr<Segment>& segment) {
                                  return value < segment->base_position();
                                });
  if (after == segments_.begin()) return nullptr;
  return *(after - 1);
}

std::shared_ptr<Segment> SegmentSet::Next(const Segment& segment) const {
  std::lock_guard lock(mu_);
  auto after = std::upper_bound(segments_.begin(), segments_.end(), segment.base_position(),
                                [](uint64_t value, const std::shared_ptr<Segment>& candidate) {
                                  return value < candidate->base_position();
                                });
  return after == segments_.end() ? nullptr : *after;
}

std::vector<std::shared_ptr<Segment>> SegmentSet::Snapshot() const {
  std::lock_guard lock(mu_);
  return segments_;
}

std::shared_ptr<Segment> SegmentSet::Back() const {
  std::lock_guard lock(mu_);
  return segments_.empty() ? nullptr : segments_.back();
}

void SegmentSet::UpdateHorizon() {
  if (!segments_.empty()) {
    trim_horizon_.store(segments_.front()->base_position(), std::memory_order_release);
  }
}

}  // namespace sluice::storage
