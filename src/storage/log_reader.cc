#include "storage/log_reader.h"

#include <algorithm>

#include "common/crc32c.h"
#include "storage/byte_order.h"
#include "storage/frame.h"
#include "storage/segment_scanner.h"

namespace sluice::storage {

namespace {

constexpr uint64_t kMaxWindowBytes = uint64_t{64} << 20;
constexpr uint64_t kSeekWindowBytes = uint64_t{64} << 10;

uint64_t PayloadBytes(const Record& record) {
  return record.partition_key.size() + record.explicit_hash_key.size() + record.data.size();
}

}  // namespace

LogReader::LogReader(const SegmentSet* segments, std::string name)
    : segments_(segments), name_(std::move(name)) {}

Error LogReader::Corrupt(const Segment& segment, uint64_t offset, std::string_view what) const {
  return Error{ErrorCode::kDataLoss,
               "shard log '" + name_ + "': " + std::string(what) + " in segment " +
                   segment.file_name() + " at offset " + std::to_string(offset),
               {}};
}

Status LogReader::CheckDamage(const Segment& segment, uint64_t offset) const {
  if (segment.damage() && offset >= segment.damage()->offset) {
    return Fail(segment.damage()->error);
  }
  return Ok();
}

Result<LogReader::Cursor> LogReader::Locate(uint64_t position) const {
  // Retention may remove the segment between reading the horizon and the lookup: retry
  // from the new horizon.
  for (int attempt = 0;; ++attempt) {
    position = std::max(position, segments_->trim_horizon());
    std::shared_ptr<Segment> segment = segments_->Find(position);
    if (segment == nullptr) {
      if (attempt < 8) continue;
      return Fail(ErrorCode::kUnavailable, "shard log '" + name_ + "' has no segment");
    }
    Cursor cursor{segment, kSegmentHeaderBytes, segment->base_position()};
    if (auto entry = segment->IndexFloor(position)) {
      cursor.offset = entry->offset;
      cursor.position = entry->position;
    }
    return cursor;
  }
}

Status LogReader::Read(uint64_t position, const ReadLimits& limits, ReadBatch* batch) const {
  batch->Clear();
  uint64_t tail = segments_->tail_position();
  uint64_t target = std::max(position, segments_->trim_horizon());
  batch->next_position_ = target;
  if (target >= tail || limits.max_records == 0) return Ok();
  auto cursor = Locate(target);
  if (!cursor) return Fail(cursor.error());
  target = std::max(target, cursor->segment->base_position());
  while (true) {
    auto done = ReadWindow(*cursor, target, tail, limits, batch);
    batch->next_position_ = target;
    if (!done) {
      // Serve what was read; the next read starting at the bad record reports it.
      if (!batch->empty()) return Ok();
      return Fail(done.error());
    }
    if (*done) return Ok();
  }
}

Result<bool> LogReader::ReadWindow(Cursor& cursor, uint64_t& target, uint64_t tail,
                                   const ReadLimits& limits, ReadBatch* batch) const {
  Segment& segment = *cursor.segment;
  if (auto status = CheckDamage(segment, cursor.offset); !status) return Fail(status.error());
  uint64_t end = segment.visible_end_offset();
  if (cursor.offset >= end) {
    std::shared_ptr<Segment> next = segments_->Next(segment);
    if (next == nullptr) return true;
    if (next->base_position() != cursor.position) {
      return Fail(Corrupt(segment, cursor.offset,
                          "records " + std::to_string(cursor.position) + " to " +
                              std::to_string(next->base_position()) + " missing"));
    }
    cursor = Cursor{next, kSegmentHeaderBytes, next->base_position()};
    return false;
  }

  uint64_t window_end = WindowEnd(cursor, target, end, limits, *batch);
  const uint64_t window_start = cursor.offset;
  size_t size = static_cast<size_t>(window_end - window_start);
  char* buffer = batch->AllocateBuffer(size);
  auto got = ReadFully(*segment.reader(), window_start, std::span<char>(buffer, size));
  if (!got) return Fail(got.error());
  if (*got < size) return Fail(Corrupt(segment, window_start + *got, "file ends early"));

  size_t at = 0;
  while (at < size) {
    DecodedFrame frame = DecodeFrame(std::string_view(buffer + at, size - at), false);
    if (frame.status != FrameStatus::kValid) {
      return Fail(Corrupt(segment, window_start + at, "corrupt frame"));
    }
    if (frame.record.position != cursor.position) {
      return Fail(Corrupt(segment, window_start + at, "frame out of sequence"));
    }
    if (cursor.position >= target) {
      const Record& record = frame.record;
      if (LoadLittle32(buffer + at) != Crc32c(buffer + at + 4, frame.size - 4)) {
        return Fail(Corrupt(segment, window_start + at, "checksum mismatch"));
      }
      uint64_t payload = PayloadBytes(record);
      if (!batch->records_.empty() && batch->payload_bytes_ + payload > limits.max_bytes) {
        return true;
      }
      batch->records_.push_back(record);
      batch->payload_bytes_ += payload;
      ++target;
    }
    at += frame.size;
    cursor.offset = window_start + at;
    ++cursor.position;
    if (batch->records_.size() >= limits.max_records || target >= tail ||
        batch->payload_bytes_ >= limits.max_bytes) {
      return true;
    }
    if (auto status = CheckDamage(segment, cursor.offset); !status) return Fail(status.error());
  }
  return false;
}

uint64_t LogReader::WindowEnd(const Cursor& cursor, uint64_t target, uint64_t end,
                              const ReadLimits& limits, const ReadBatch& batch) const {
  // Size the window from the limits and the segment's average frame, then stretch it to
  // a frame boundary (an index entry or the visible end) so it holds whole frames only.
  const Segment& segment = *cursor.segment;
  uint64_t average = std::max<uint64_t>(segment.AverageFrameBytes(), kFrameHeaderBytes);
  uint64_t records_left = limits.max_records - batch.records_.size();
  uint64_t bytes_left =
      limits.max_bytes > batch.payload_bytes_ ? limits.max_bytes - batch.payload_bytes_ : 0;
  uint64_t want = (target - cursor.position) * average +
                  std::min(records_left * average, bytes_left + records_left * kFrameHeaderBytes);
  want = std::clamp<uint64_t>(want, kFrameHeaderBytes, kMaxWindowBytes);
  if (cursor.offset + want >= end) return end;
  auto boundary = segment.IndexBoundaryAtOrAfter(cursor.offset + want);
  return boundary ? std::min(end, boundary->offset) : end;
}

Result<uint64_t> LogReader::SeekTime(int64_t timestamp_ms) const {
  uint64_t tail = segments_->tail_position();
  for (const std::shared_ptr<Segment>& segment : segments_->Snapshot()) {
    uint64_t end_position = segment->visible_end_position();
    if (end_position == segment->base_position() || segment->last_arrival_ms() < timestamp_ms) {
      continue;
    }
    Cursor cursor{segment, kSegmentHeaderBytes, segment->base_position()};
    if (auto entry = segment->IndexLastBefore(timestamp_ms)) {
      cursor.offset = entry->offset;
      cursor.position = entry->position;
    }
    SegmentScanner scanner(*segment->reader(), cursor.offset, segment->visible_end_offset(),
                           kSeekWindowBytes);
    while (cursor.position < end_position) {
      if (auto status = CheckDamage(*segment, scanner.offset()); !status)
        return Fail(status.error());
      auto step = scanner.Next();
      if (!step) return Fail(step.error());
      if (step->outcome != SegmentScanner::Outcome::kFrame ||
          step->record.position != cursor.position) {
        return Fail(Corrupt(*segment, step->offset, "corrupt frame"));
      }
      if (step->record.arrival_ms >= timestamp_ms) return step->record.position;
      ++cursor.position;
    }
  }
  return tail;
}

Result<uint64_t> LogReader::FirstPositionAtOrAfter(uint64_t position) const {
  uint64_t tail = segments_->tail_position();
  uint64_t target = std::max(position, segments_->trim_horizon());
  if (target >= tail) return tail;
  auto cursor = Locate(target);
  if (!cursor) return Fail(cursor.error());
  target = std::max(target, cursor->segment->base_position());
  Segment& segment = *cursor->segment;
  SegmentScanner scanner(*segment.reader(), cursor->offset, segment.visible_end_offset(),
                         kSeekWindowBytes);
  while (true) {
    if (auto status = CheckDamage(segment, scanner.offset()); !status) return Fail(status.error());
    auto step = scanner.Next(/*verify_crc=*/cursor->position == target);
    if (!step) return Fail(step.error());
    if (step->outcome != SegmentScanner::Outcome::kFrame ||
        step->record.position != cursor->position) {
      return Fail(Corrupt(segment, step->offset, "corrupt frame"));
    }
    if (cursor->position == target) return target;
    ++cursor->position;
  }
}

Status LogReader::Verify() const {
  std::vector<std::shared_ptr<Segment>> segments = segments_->Snapshot();
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = *segments[i];
    if (segment.damage()) return Fail(segment.damage()->error);
    // Only sealed segments have ends that cannot move while we look; the newest one may
    // grow under concurrent appends.
    bool sealed = segment.sealed();
    uint64_t end_position = segment.visible_end_position();
    uint64_t end_offset = segment.visible_end_offset();
    SegmentScanner scanner(*segment.reader(), kSegmentHeaderBytes, end_offset);
    uint64_t position = segment.base_position();
    while (true) {
      auto step = scanner.Next();
      if (!step) return Fail(step.error());
      if (step->outcome == SegmentScanner::Outcome::kEnd && step->offset == end_offset) break;
      if (step->outcome != SegmentScanner::Outcome::kFrame || step->record.position != position) {
        return Fail(Corrupt(segment, step->offset, "corrupt frame"));
      }
      ++position;
    }
    if (sealed ? position != end_position : position < end_position) {
      return Fail(Corrupt(segment, end_offset, "record count mismatch"));
    }
    if (sealed && i + 1 < segments.size() && segments[i + 1]->base_position() != end_position) {
      return Fail(Corrupt(segment, end_offset,
                          "records " + std::to_string(end_position) + " to " +
                              std::to_string(segments[i + 1]->base_position()) + " missing"));
    }
  }
  return Ok();
}

}  // namespace sluice::storage
