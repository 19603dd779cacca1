#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "storage/env.h"
#include "storage/frame.h"

namespace sluice::storage {

// Walks the frames of one segment file in order, reading it in large windows. Used by
// recovery (verifying an unverified tail, rebuilding an index), seeks by time and
// Verify. It checks framing and checksums only (a sealed batch's outer checksum: no key
// is needed); callers check that positions follow on.
// Not thread-safe; `file` must outlive it.
class SegmentScanner {
 public:
  enum class Outcome {
    kFrame,    // a whole, checksum-valid frame
    kEnd,      // `end_offset` reached, or zeros where a frame should start (unused,
               // preallocated space)
    kTorn,     // a frame that runs past `end_offset` or the end of the file
    kCorrupt,  // a bad header or checksum
  };
  struct Step {
    Outcome outcome = Outcome::kEnd;
    uint64_t offset = 0;     // where the frame (or the problem) starts
    DecodedFrame frame;      // kFrame; views valid until the next call
    std::string_view bytes;  // kFrame: the whole frame; valid until the next call
  };

  // Scans from `offset` (a frame start) up to `end_offset` (exclusive).
  SegmentScanner(const ReadableFile& file, uint64_t offset, uint64_t end_offset,
                 size_t window_bytes = size_t{1} << 20);
  SegmentScanner(const SegmentScanner&) = delete;
  SegmentScanner& operator=(const SegmentScanner&) = delete;

  // The next frame, or why there is none; errors are I/O errors. With verify_crc false
  // only headers are checked (for skipping).
  [[nodiscard]] Result<Step> Next(bool verify_crc = true);
  // Offset of the next frame (after the last one returned).
  uint64_t offset() const { return offset_; }

 private:
  // Makes [offset_, offset_ + bytes) available in the buffer, or as much of it as the
  // file holds; returns how much is available.
  [[nodiscard]] Result<size_t> Fill(size_t bytes);

  const ReadableFile& file_;
  uint64_t offset_;
  const uint64_t end_offset_;
  const size_t window_bytes_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  size_t buffer_size_ = 0;
};

}  // namespace sluice::storage
