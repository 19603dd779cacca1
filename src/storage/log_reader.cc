#include "storage/log_reader.h"

#include <algorithm>

namespace sluice::storage {

namespace {

constexpr uint64_t kMaxWindowBytes = uint64_t{64} << 20;
constexpr uint64_t kSeekWindowBytes = uint64_t{64} << 10;

uint64_t PayloadBytes(const Record& record) {
  return record.partition_key.size() + record.explicit_hash_key.size() + record.data.size();
}

// Calls `take` on each record of an opened sealed batch `frame` whose record frames are
// `plain`, checking each one's checksum and position, until `take` returns true (then
// true). The error says what is wrong with the batch.
template <typename Take>
Result<bool> ForEachSealedRecord(const DecodedFrame& frame, std::string_view plain, Take&& take) {
  uint64_t position = frame.record.position;
  while (!plain.empty()) {
    DecodedFrame inner = DecodeFrame(plain, true);
    if (inner.status != FrameStatus::kValid || inner.type != kFrameTypeRecord ||
        inner.record.position != position) {
      return Fail(ErrorCode::kDataLoss, "corrupt record " + std::to_string(position) + " inside");
    }
    if (take(inner.record)) return true;
    plain.remove_prefix(inner.size);
    ++position;
  }
  if (position != frame.record.position + frame.record_count) {
    return Fail(ErrorCode::kDataLoss, "record count mismatch inside");
  }
  return false;
}

}  // namespace

LogReader::LogReader(const SegmentSet* segments, std::string name,
                     std::shared_ptr<const KeyResolver> keys)
    : segments_(segments), name_(std::move(name)), keys_(std::move(keys)) {}

Error LogReader::Corrupt(const Segment& segment, uint64_t offset, std::string_view what) const {
  return Error{ErrorCode::kDataLoss,
               "shard log '" + name_ + "': " + std::string(what) + " in segment " +
                   segment.file_name() + " at offset " + std::to_string(offset),
               {}};
}

Error LogReader::SealedError(const Segment& segment, uint64_t offset, const DecodedFrame& frame,
                             const Error& cause) const {
  uint64_t last = frame.record.position + frame.record_count - 1;
  Error error = Corrupt(segment, offset,
                        "sealed batch of records " + std::to_string(frame.record.position) +
                            " to " + std::to_string(last) + " unreadable (" + cause.message + ")");
  if (cause.code != ErrorCode::kNotFound) error.code = cause.code;
  return error;
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
  ReadState read;
  read.tail = segments_->tail_position();
  read.target = std::max(position, segments_->trim_horizon());
  read.limits = limits;
  read.batch = batch;
  batch->next_position_ = read.target;
  if (read.target >= read.tail || limits.max_records == 0) return Ok();
  auto cursor = Locate(read.target);
  if (!cursor) return Fail(cursor.error());
  read.cursor = std::move(*cursor);
  read.target = std::max(read.target, read.cursor.segment->base_position());
  while (true) {
    auto done = ReadWindow(read);
    batch->next_position_ = read.target;
    if (!done) {
      // Serve what was read; the next read starting at the bad record reports it.
      if (!batch->empty()) return Ok();
      return Fail(done.error());
    }
    if (*done) return Ok();
  }
}

Result<bool> LogReader::ReadWindow(ReadState& read) const {
  Cursor& cursor = read.cursor;
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

  uint64_t window_end = WindowEnd(read, end);
  const uint64_t window_start = cursor.offset;
  size_t size = static_cast<size_t>(window_end - window_start);
  char* buffer = read.batch->AllocateBuffer(size);
  auto got =
      ReadFully(*segment.reader(), window_start, std::span<char>(buffer, size), read.limits.wait);
  if (!got) return Fail(got.error());
  if (*got < size) {
    // Not in memory (or the file ends early, which a read that may wait reports).
    if (read.limits.wait == ReadWait::kCachedOnly) {
      read.batch->needs_disk_ = true;
      return true;
    }
    return Fail(Corrupt(segment, window_start + *got, "file ends early"));
  }

  size_t at = 0;
  while (at < size) {
    DecodedFrame frame = DecodeFrame(std::string_view(buffer + at, size - at), false);
    if (frame.status != FrameStatus::kValid) {
      return Fail(Corrupt(segment, window_start + at, "corrupt frame"));
    }
    if (frame.record.position != cursor.position) {
      return Fail(Corrupt(segment, window_start + at, "frame out of sequence"));
    }
    uint64_t end_position = cursor.position + frame.record_count;
    if (end_position > read.target) {
      std::span<char> bytes(buffer + at, frame.size);
      if (!FrameChecksumValid(std::string_view(bytes.data(), bytes.size()))) {
        return Fail(Corrupt(segment, window_start + at, "checksum mismatch"));
      }
      auto done = frame.type == kFrameTypeSealedBatch
                      ? TakeSealed(read, frame, bytes, window_start + at)
                      : Result<bool>(Take(read, frame.record));
      if (!done || *done) return done;
    }
    at += frame.size;
    cursor.offset = window_start + at;
    cursor.position = end_position;
    if (auto status = CheckDamage(segment, cursor.offset); !status) return Fail(status.error());
  }
  return false;
}

bool LogReader::Take(ReadState& read, const Record& record) const {
  ReadBatch& batch = *read.batch;
  uint64_t payload = PayloadBytes(record);
  if (!batch.records_.empty() && batch.payload_bytes_ + payload > read.limits.max_bytes) {
    return true;
  }
  batch.records_.push_back(record);
  batch.payload_bytes_ += payload;
  ++read.target;
  return batch.records_.size() >= read.limits.max_records || read.target >= read.tail ||
         batch.payload_bytes_ >= read.limits.max_bytes;
}

Result<bool> LogReader::TakeSealed(ReadState& read, const DecodedFrame& frame,
                                   std::span<char> bytes, uint64_t offset) const {
  const Segment& segment = *read.cursor.segment;
  auto plain = OpenSealed(frame, bytes, read.cipher);
  if (!plain) return Fail(SealedError(segment, offset, frame, plain.error()));
  auto done = ForEachSealedRecord(frame, *plain, [&](Record record) {
    record.sealed = true;
    return record.position >= read.target && Take(read, record);
  });
  if (!done) return Fail(SealedError(segment, offset, frame, done.error()));
  return done;
}

Result<std::string_view> LogReader::OpenSealed(const DecodedFrame& frame, std::span<char> bytes,
                                               std::unique_ptr<SealCipher>& cipher) const {
  if (cipher == nullptr || cipher->key_id() != frame.key_id) {
    if (keys_ == nullptr) return Fail(ErrorCode::kDataLoss, "no key resolver");
    auto key = keys_->Resolve(frame.key_id);
    if (!key) {
      return Fail(key.error().code,
                  "key id " + std::to_string(frame.key_id) + ": " + key.error().message);
    }
    auto created = SealCipher::Create(*key);
    if (!created) return Fail(created.error());
    cipher = std::move(*created);
  }
  return OpenBatchFrame(*cipher, bytes);
}

uint64_t LogReader::WindowEnd(const ReadState& read, uint64_t end) const {
  // Size the window from the limits and the segment's average frame, then stretch it to
  // a frame boundary (an index entry or the visible end) so it holds whole frames only.
  const Cursor& cursor = read.cursor;
  const Segment& segment = *cursor.segment;
  const ReadBatch& batch = *read.batch;
  uint64_t average = std::max<uint64_t>(segment.AverageFrameBytes(), kFrameHeaderBytes);
  uint64_t records_left = read.limits.max_records - batch.records_.size();
  uint64_t bytes_left = read.limits.max_bytes > batch.payload_bytes_
                            ? read.limits.max_bytes - batch.payload_bytes_
                            : 0;
  uint64_t want = (read.target - cursor.position) * average +
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
      const Record& first = step->frame.record;  // a sealed batch's records share its time
      if (step->outcome != SegmentScanner::Outcome::kFrame || first.position != cursor.position) {
        return Fail(Corrupt(*segment, step->offset, "corrupt frame"));
      }
      if (first.arrival_ms >= timestamp_ms) return first.position;
      cursor.position += step->frame.record_count;
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
    auto step = scanner.Next(/*verify_crc=*/false);
    if (!step) return Fail(step.error());
    // Only the frame holding the target is checksummed: the ones before are skipped.
    bool holds_target = target < cursor->position + step->frame.record_count;
    if (step->outcome != SegmentScanner::Outcome::kFrame ||
        step->frame.record.position != cursor->position ||
        (holds_target && !FrameChecksumValid(step->bytes))) {
      return Fail(Corrupt(segment, step->offset, "corrupt frame"));
    }
    if (holds_target) return target;
    cursor->position += step->frame.record_count;
  }
}

Status LogReader::Verify() const {
  std::vector<std::shared_ptr<Segment>> segments = segments_->Snapshot();
  std::string scratch;
  std::unique_ptr<SealCipher> cipher;
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
      if (step->outcome != SegmentScanner::Outcome::kFrame ||
          step->frame.record.position != position) {
        return Fail(Corrupt(segment, step->offset, "corrupt frame"));
      }
      if (keys_ != nullptr && step->frame.type == kFrameTypeSealedBatch) {
        if (auto status = VerifySealed(segment, *step, scratch, cipher); !status) return status;
      }
      position += step->frame.record_count;
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

Status LogReader::VerifySealed(const Segment& segment, const SegmentScanner::Step& step,
                               std::string& scratch, std::unique_ptr<SealCipher>& cipher) const {
  scratch.assign(step.bytes);  // opened in place: the scanner's buffer stays as it is
  auto plain = OpenSealed(step.frame, scratch, cipher);
  if (!plain) return Fail(SealedError(segment, step.offset, step.frame, plain.error()));
  auto checked = ForEachSealedRecord(step.frame, *plain, [](const Record&) { return false; });
  if (!checked) return Fail(SealedError(segment, step.offset, step.frame, checked.error()));
  return Ok();
}

}  // namespace sluice::storage
