#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/env.h"
#include "storage/segment_tail.h"
#include "storage/sparse_index.h"

namespace sluice::storage {

class SegmentWriter;

// Segment file header (docs/formats/shard-log.md): magic, version, header size, base
// position, creation time, CRC32C.
inline constexpr size_t kSegmentHeaderBytes = 40;
// The version written: its segments may hold sealed batches (frame type 2). Version 1
// segments hold record frames only; they are still read, but never appended to.
inline constexpr uint32_t kSegmentFormatVersion = 2;
inline constexpr uint32_t kOldestSegmentFormatVersion = 1;

struct SegmentHeader {
  uint64_t base_position = 0;
  int64_t created_ms = 0;
  uint32_t format_version = kSegmentFormatVersion;
};

void EncodeSegmentHeader(const SegmentHeader& header, char* out);
// kDataLoss for a bad magic or checksum, kFailedPrecondition for a version outside
// [kOldestSegmentFormatVersion, kSegmentFormatVersion].
[[nodiscard]] Result<SegmentHeader> DecodeSegmentHeader(std::string_view bytes);

// "<base position, 20 digits>.seg" and ".idx".
std::string SegmentFileName(uint64_t base_position);
std::string IndexFileName(uint64_t base_position);
// Parses a segment or index file name; false for any other name.
bool ParseSegmentFileName(std::string_view name, uint64_t* base_position, bool* is_index);

// Where a sealed segment stops being readable because of corruption found on open.
struct SegmentDamage {
  uint64_t offset = 0;    // first bad byte
  uint64_t position = 0;  // first unreadable position; [position, next base) is lost
  Error error;            // kDataLoss, naming the file and offset
};

// One segment file of a shard log: its identity, what readers may see of it, and its
// sparse index. Shared (shared_ptr) by the writer, readers and retention; a reader that
// holds one can keep reading it after retention deleted the file.
//
// Thread-safety: the visible end and sealed flag are atomics published by the flusher
// thread (release) and read by any thread (acquire); the index is guarded by index_mu_;
// reader() and damage() are set before the segment is published and never change; the
// writer is used by the flusher thread only (and by Open/Close, when no flusher runs).
class Segment {
 public:
  Segment(std::string dir, uint64_t base_position, int64_t created_ms);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  uint64_t base_position() const { return base_position_; }
  int64_t created_ms() const { return created_ms_; }
  const std::string& file_name() const { return file_name_; }
  const std::string& path() const { return path_; }
  std::string index_path() const;

  // The segment file as readers see it: with the tail laid over it.
  const std::shared_ptr<const ReadableFile>& reader() const { return reader_; }
  void set_reader(std::shared_ptr<const ReadableFile> file);
  // Bytes the writer holds back from the file while the write-ahead log has them.
  const std::shared_ptr<SegmentTail>& tail() const { return tail_; }
  const std::optional<SegmentDamage>& damage() const { return damage_; }
  void set_damage(SegmentDamage damage) { damage_ = std::move(damage); }

  // The durable (under the shard's policy) prefix readers may see: bytes
  // [0, visible_end_offset) holding positions [base, visible_end_position).
  uint64_t visible_end_offset() const {
    return visible_end_offset_.load(std::memory_order_acquire);
  }
  uint64_t visible_end_position() const {
    return visible_end_position_.load(std::memory_order_acquire);
  }
  // Arrival time of the last visible record (of the segment's creation when empty).
  int64_t last_arrival_ms() const { return last_arrival_ms_.load(std::memory_order_acquire); }
  void Publish(uint64_t end_offset, uint64_t end_position, int64_t last_arrival_ms);
  bool sealed() const { return sealed_.load(std::memory_order_acquire); }
  void MarkSealed() { sealed_.store(true, std::memory_order_release); }

  void AddIndexEntries(std::span<const IndexEntry> entries);
  // The last index entry at or before `position`; none if the index is empty or starts
  // after it.
  std::optional<IndexEntry> IndexFloor(uint64_t position) const;
  // The last index entry whose arrival time is before `arrival_ms`.
  std::optional<IndexEntry> IndexLastBefore(int64_t arrival_ms) const;
  // The first index entry at or after `offset`: a frame boundary a read window can stop
  // at without cutting a frame.
  std::optional<IndexEntry> IndexBoundaryAtOrAfter(uint64_t offset) const;
  // Bytes per record, estimated from the visible part; 0 when empty.
  uint64_t AverageFrameBytes() const;

  // Flusher thread only: the open files of a segment that is still written or not yet
  // sealed; null once sealed.
  SegmentWriter* writer() const { return writer_.get(); }
  void set_writer(std::unique_ptr<SegmentWriter> writer);
  // Closes the files (sealed, removed or closing).
  void ReleaseWriter();

 private:
  const std::string dir_;
  const uint64_t base_position_;
  const int64_t created_ms_;
  const std::string file_name_;
  const std::string path_;
  const std::shared_ptr<SegmentTail> tail_;
  std::shared_ptr<const ReadableFile> reader_;
  std::optional<SegmentDamage> damage_;

  std::atomic<uint64_t> visible_end_offset_;
  std::atomic<uint64_t> visible_end_position_;
  std::atomic<int64_t> last_arrival_ms_;
  std::atomic<bool> sealed_{false};

  mutable std::mutex index_mu_;
  SparseIndex index_;  // guarded by index_mu_

  std::unique_ptr<SegmentWriter> writer_;
};

}  // namespace sluice::storage
