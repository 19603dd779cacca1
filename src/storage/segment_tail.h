#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "common/result.h"
#include "storage/env.h"
#include "storage/write_ahead_log.h"

namespace sluice::storage {

// The newest bytes of a segment while they are only in memory. With a write-ahead log a
// flush cycle's frames are durable once logged, so the flusher copies them here instead
// of writing each cycle's few kilobytes to the segment file (one system call per shard
// per cycle); they reach the file a block at a time, when a block fills, when the file
// is synced, or when a checkpoint is about to retire the log entries that hold them
// (WriteAheadLog::Defer). Readers see the file and the tail as one (Overlay).
//
// The tail is one block, [base, base + size) of the segment; everything before `base`,
// and the block's first `written` bytes, are in the file.
//
// Thread-safety: Append, Flush, Truncate and Detach on the flusher thread; WriteOut (a
// checkpoint) from any thread; reads through the overlay from any thread, of bytes the
// segment has published (Segment::Publish after Append).
class SegmentTail final : public DeferredWrites {
 public:
  // Bytes per block (a larger write gets a block of its own size).
  static constexpr size_t kBlockBytes = size_t{128} << 10;

  SegmentTail() = default;
  SegmentTail(const SegmentTail&) = delete;
  SegmentTail& operator=(const SegmentTail&) = delete;

  // Where flushes write; null detaches (the segment writer closed the file). Detaching
  // drops the block: bytes not written by then are reported lost by the next WriteOut.
  void Attach(WritableFile* file);
  void Detach();
  // Drops the unwritten bytes too (their file is being removed).
  void Discard();

  // Copies `bytes`, which belong at `offset`: right after the block's end, or anywhere
  // once everything is written (a new block starts there). A full block is written to the
  // file first. True when the tail had nothing unwritten before (the caller then hands
  // it to the log's next checkpoint).
  [[nodiscard]] Result<bool> Append(uint64_t offset, std::string_view bytes);
  // Writes the unwritten bytes to the file (no sync).
  [[nodiscard]] Status Flush();
  // Forgets the bytes from `end` on (a rewind); the file is cut by the caller.
  void Truncate(uint64_t end);
  // DeferredWrites: Flush for a checkpoint, from any thread.
  [[nodiscard]] Status WriteOut() override;

  // `file` with this tail laid over it: reads at or after the block's base come from
  // memory.
  static std::shared_ptr<const ReadableFile> Overlay(std::shared_ptr<SegmentTail> tail,
                                                     std::shared_ptr<const ReadableFile> file);

 private:
  struct Block {
    uint64_t base = 0;
    size_t capacity = 0;
    std::unique_ptr<char[]> bytes;
    std::atomic<size_t> size{0};  // release-stored after the bytes are copied
  };
  class Reader;

  [[nodiscard]] Status FlushLocked();  // requires mu_
  void StartBlock(uint64_t base, size_t capacity);
  void DropBlockLocked();  // requires mu_; readers go to the file again
  // Why bytes held back cannot reach their file any more.
  static Error LostError();
  // Copies what `block` holds at [offset, ...) into `out`; 0 past its end.
  static size_t ReadBlock(const Block& block, uint64_t offset, std::span<char> out);

  std::mutex mu_;                 // the flusher against a checkpoint's WriteOut
  std::shared_ptr<Block> block_;  // guarded by mu_ (and written by the flusher only)
  size_t written_ = 0;            // guarded by mu_: bytes of block_ in the file
  WritableFile* file_ = nullptr;  // guarded by mu_
  bool pending_ = false;          // guarded by mu_: handed to a checkpoint, not written out
  bool lost_ = false;             // guarded by mu_: detached with bytes unwritten
  std::atomic<std::shared_ptr<const Block>> published_;  // what readers use
};

}  // namespace sluice::storage
