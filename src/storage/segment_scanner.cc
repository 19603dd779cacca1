#include "storage/segment_scanner.h"

#include <algorithm>
#include <cstring>

namespace sluice::storage {

SegmentScanner::SegmentScanner(const ReadableFile& file, uint64_t offset, uint64_t end_offset,
                               size_t window_bytes)
    : file_(file), offset_(offset), end_offset_(end_offset), window_bytes_(window_bytes) {}

Result<size_t> SegmentScanner::Fill(size_t bytes) {
  uint64_t buffer_end = buffer_offset_ + buffer_size_;
  if (offset_ >= buffer_offset_ && offset_ + bytes <= buffer_end) return bytes;
  size_t want = static_cast<size_t>(
      std::min<uint64_t>(std::max(bytes, window_bytes_), end_offset_ - offset_));
  // Keep the unread bytes and read on from where the last read ended, so the file is
  // read strictly in order (and the kernel's readahead keeps up).
  size_t kept = 0;
  if (offset_ >= buffer_offset_ && offset_ < buffer_end) {
    kept = static_cast<size_t>(buffer_end - offset_);
  }
  if (want > capacity_) {
    auto bigger = std::make_unique_for_overwrite<char[]>(want);
    if (kept > 0) std::memcpy(bigger.get(), buffer_.get() + (offset_ - buffer_offset_), kept);
    buffer_ = std::move(bigger);
    capacity_ = want;
  } else if (kept > 0) {
    std::memmove(buffer_.get(), buffer_.get() + (offset_ - buffer_offset_), kept);
  }
  auto got = ReadFully(file_, offset_ + kept, std::span<char>(buffer_.get() + kept, want - kept));
  if (!got) return Fail(got.error());
  buffer_offset_ = offset_;
  buffer_size_ = kept + *got;
  return std::min(bytes, buffer_size_);
}

Result<SegmentScanner::Step> SegmentScanner::Next(bool verify_crc) {
  Step step;
  step.offset = offset_;
  if (offset_ >= end_offset_) return step;  // kEnd
  uint64_t left = end_offset_ - offset_;
  size_t header_bytes = static_cast<size_t>(std::min<uint64_t>(left, kFrameHeaderBytes));
  auto got = Fill(header_bytes);
  if (!got) return Fail(got.error());
  const char* at = buffer_.get() + (offset_ - buffer_offset_);
  if (*got < kFrameHeaderBytes) {
    bool zeros = std::all_of(at, at + *got, [](char c) { return c == 0; });
    step.outcome = zeros ? Outcome::kEnd : Outcome::kTorn;
    return step;
  }
  DecodedFrame frame = DecodeFrame(std::string_view(at, *got), false);
  if (frame.status == FrameStatus::kEnd) return step;
  if (frame.status == FrameStatus::kCorrupt) {
    step.outcome = Outcome::kCorrupt;
    return step;
  }
  if (frame.size > left) {
    step.outcome = Outcome::kTorn;
    return step;
  }
  got = Fill(frame.size);
  if (!got) return Fail(got.error());
  if (*got < frame.size) {
    step.outcome = Outcome::kTorn;
    return step;
  }
  at = buffer_.get() + (offset_ - buffer_offset_);
  frame = DecodeFrame(std::string_view(at, frame.size), verify_crc);
  if (frame.status != FrameStatus::kValid) {
    step.outcome = Outcome::kCorrupt;
    return step;
  }
  step.outcome = Outcome::kFrame;
  step.frame = frame;
  step.bytes = std::string_view(at, frame.size);
  offset_ += frame.size;
  return step;
}

}  // namespace sluice::storage
