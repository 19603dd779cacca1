#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/env.h"
#include "storage/index_file.h"
#include "storage/segment_tail.h"
#include "storage/sparse_index.h"

namespace sluice::storage {

class Segment;

// The open files of one unsealed segment: the segment file (written at explicit
// offsets, preallocated ahead of the writes with fallocate) and its index file. It also
// keeps the segment's committed end: the prefix that is durable under the shard's policy
// and acknowledged, which a failed write rewinds to.
//
// Not thread-safe: used by the flusher thread only (and by ShardLog::Open/Close when no
// flusher cycle runs); only the file's Sync runs elsewhere (the sync thread). Every
// method may block on the disk.
// Writes at least this large start their writeback at once (WritableFile::StartWriteback).
inline constexpr size_t kEarlyWritebackBytes = size_t{128} << 10;
// The newest committed bytes of a segment left in the page cache for readers, who read a
// stream near its end; Commit drops older ones (WritableFile::DropCache) in steps of at
// least kCacheDropStepBytes. Left there, segment data would grow the page cache with
// every write, and on a virtual machine that hands idle memory back to its host, copying
// into fresh pages was seen to take up to ten times as long (BENCHMARKS.md, issue #4).
inline constexpr uint64_t kCachedSegmentBytes = uint64_t{4} << 20;
inline constexpr uint64_t kCacheDropStepBytes = uint64_t{256} << 10;
// Index entries reach the index file once the committed bytes past its last entry come to
// this much (WriteIndexBatch): each write of a few dozen bytes dirties a page that the next
// sync of the file system writes with a device request of its own (a stream of 64 shards
// wrote one per shard every 64 KiB: a third of the disk's write requests). After a crash,
// recovery scans at most about this much more of an unsealed segment. A segment's first
// entry is written at once: it is recovery's evidence that the segment holds records.
inline constexpr uint64_t kIndexWriteBatchBytes = uint64_t{1} << 20;

class SegmentWriter {
 public:
  // Creates the files of a new segment: the header, `preallocate_bytes` reserved, and an
  // empty index. Nothing is synced; on failure both files are removed again.
  [[nodiscard]] static Result<std::unique_ptr<SegmentWriter>> Create(Env* env,
                                                                     const Segment& segment,
                                                                     uint64_t preallocate_bytes);
  // Reopens the last segment after recovery, whose frames end at `end_offset` (the file
  // has been truncated there) and whose index file has `index_valid_bytes` good bytes.
  [[nodiscard]] static Result<std::unique_ptr<SegmentWriter>> Reopen(
      Env* env, const Segment& segment, uint64_t preallocate_bytes, uint64_t end_offset,
      uint64_t end_position, uint64_t index_valid_bytes, std::optional<uint64_t> last_index_offset);

  // Detaches the tail; bytes it still holds back are reported lost at the next checkpoint.
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Writes `bytes` at `offset`, first reserving space in steps of the preallocation size
  // when the write would pass the reserved end (so a full disk fails here, cleanly).
  [[nodiscard]] Status Write(uint64_t offset, std::string_view bytes);
  // Like Write, but into the segment's tail (SegmentTail), for bytes the write-ahead log
  // makes durable: they reach the file later. Says whether the tail must be handed to the
  // log (WriteAheadLog::Defer) and whether a full block awaits its write.
  [[nodiscard]] Result<TailAppend> WriteBehind(uint64_t offset, std::string_view bytes);
  // Writes what the tail holds back to the file (no sync).
  [[nodiscard]] Status FlushTail();
  // fdatasync of the segment file (after FlushTail), if anything was written since the
  // last one.
  [[nodiscard]] Status Sync();
  bool needs_sync() const { return needs_sync_; }
  // For a sync run on the flusher's sync thread: the file (whose Sync may run there
  // while this thread writes), the writes so far, and recording that a sync which
  // started after `write_count` writes succeeded.
  WritableFile* file() const { return file_.get(); }
  uint64_t write_count() const { return write_count_; }
  void MarkSynced(uint64_t write_count);

  // Records that everything up to `end_offset` / `end_position` is durable and
  // acknowledged, with `entries` the index entries of that part. The entries are written
  // to the index file by WriteIndexBatch or FlushIndex. Drops the page cache behind the
  // newest kCachedSegmentBytes.
  void Commit(uint64_t end_offset, uint64_t end_position, std::span<const IndexEntry> entries);
  // Appends the committed, not yet written index entries to the index file (no sync). A
  // failure abandons the index file; the next open rebuilds it from the segment.
  void FlushIndex();
  // FlushIndex if the index file has no entry yet or the committed bytes past its last
  // entry reach kIndexWriteBatchBytes.
  void WriteIndexBatch();

  // Drops everything after the committed end (after a failed write or sync).
  [[nodiscard]] Status RewindToCommitted();
  // Completes the segment: truncates it to its committed end, syncs it, and appends and
  // syncs the seal entry of its index. Drops the segment's page cache: the newest bytes
  // of the shard are in the next segment now.
  [[nodiscard]] Status Seal(int64_t last_arrival_ms);

  uint64_t committed_end_offset() const { return committed_end_offset_; }
  uint64_t committed_end_position() const { return committed_end_position_; }
  std::optional<uint64_t> committed_last_index_offset() const {
    return committed_last_index_offset_;
  }

 private:
  SegmentWriter(std::unique_ptr<WritableFile> file, std::shared_ptr<SegmentTail> tail,
                std::unique_ptr<IndexFile> index, uint64_t preallocate_bytes, uint64_t end_offset,
                uint64_t end_position);
  // Reserves the file up to `end` and records a write there.
  [[nodiscard]] Status Reserve(uint64_t end);
  // Drops the page cache up to kCachedSegmentBytes before the committed end.
  void DropCacheBehind();
  // Drops the page cache of what lies before `end`, if not done yet.
  void DropCacheBefore(uint64_t end);

  std::unique_ptr<WritableFile> file_;
  const std::shared_ptr<SegmentTail> tail_;
  std::unique_ptr<IndexFile> index_;  // null once abandoned after a failed write
  uint64_t preallocate_bytes_;
  uint64_t allocated_end_;
  uint64_t written_end_;
  bool needs_sync_ = false;
  uint64_t write_count_ = 0;

  uint64_t committed_end_offset_;
  uint64_t committed_end_position_;
  std::optional<uint64_t> committed_last_index_offset_;
  uint64_t cache_dropped_end_ = 0;  // DropCache was called up to here
  std::vector<IndexEntry> unwritten_index_;
  std::optional<uint64_t> index_written_offset_;  // of the index file's last entry
};

}  // namespace sluice::storage
