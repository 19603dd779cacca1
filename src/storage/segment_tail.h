#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "storage/env.h"
#include "storage/flusher.h"
#include "storage/write_ahead_log.h"

namespace sluice::storage {

// What SegmentTail::Append did besides copying.
struct TailAppend {
  // The tail held nothing unwritten before: hand it to the log's next checkpoint.
  bool fresh = false;
  // A block filled and awaits its write: WriteFullBlock, best off the flusher thread.
  bool block_full = false;
};

// The newest bytes of a segment while they are only in memory. With a write-ahead log a
// flush cycle's frames are durable once logged, so the flusher copies them here instead
// of writing each cycle's few kilobytes to the segment file (one system call per shard
// per cycle); they reach the file a block at a time: a full block through WriteFullBlock
// (the flusher's write-behind thread calls it, so that copying into the page cache does
// not hold up the flusher), everything when the file is synced (Flush) or when a
// checkpoint is about to retire the log entries that hold them (WriteOut, via
// WriteAheadLog::Defer). Readers see the file and the tail as one (Overlay).
//
// The tail is at most two blocks: the current one, which appends go to, and the full one
// before it until the file has it (if the current one fills first, the Append that needs
// room writes it). Everything before the older block is in the file.
//
// Thread-safety: Append, Flush, Truncate, Attach, Detach and Discard on the flusher
// thread; WriteOut and WriteFullBlock from any thread; reads through the overlay from any
// thread, of bytes the segment has published (Segment::Publish after Append). A write to
// the file never holds up an Append that has room.
class SegmentTail final : public DeferredWrites, public BackgroundWrite {
 public:
  // Bytes per block (a larger write gets a block of its own size). Each full block is one
  // write request to the disk: 256 KiB blocks made 14-24% fewer requests than 128 KiB
  // (per record, at 4 and 64 shards) and the log's syncs, which queue behind them, 9-14%
  // shorter, for up to 512 KiB of memory per segment being written.
  static constexpr size_t kBlockBytes = size_t{256} << 10;

  SegmentTail() = default;
  SegmentTail(const SegmentTail&) = delete;
  SegmentTail& operator=(const SegmentTail&) = delete;

  // Where writes go; null detaches (the segment writer closed the file). Detaching drops
  // the blocks: bytes not written by then are reported lost by the next WriteOut.
  void Attach(WritableFile* file);
  void Detach();
  // Drops the unwritten bytes too (their file is being removed).
  void Discard();

  // Copies `bytes`, which belong at `offset`: right after the current block's end, or
  // anywhere once everything is written (a new block starts there).
  [[nodiscard]] Result<TailAppend> Append(uint64_t offset, std::string_view bytes);
  // Writes every unwritten byte to the file (no sync).
  [[nodiscard]] Status Flush();
  // Writes the full block, if one waits (no sync), and starts its writeback
  // (WritableFile::StartWriteback): the segment's bytes then reach the disk steadily, a
  // block at a time, instead of in a burst at each checkpoint that the log's own syncs
  // would queue behind.
  [[nodiscard]] Status WriteFullBlock();
  // Forgets the bytes from `end` on (a rewind); the file is cut by the caller.
  void Truncate(uint64_t end);
  // DeferredWrites: Flush for a checkpoint, from any thread.
  [[nodiscard]] Status WriteOut() override;
  // BackgroundWrite: WriteFullBlock; a failure leaves the block to the next write.
  void WriteBehind() override;

  // `file` with this tail laid over it: reads at or after the older block's base come
  // from memory.
  static std::shared_ptr<const ReadableFile> Overlay(std::shared_ptr<SegmentTail> tail,
                                                     std::shared_ptr<const ReadableFile> file);

 private:
  struct Block {
    uint64_t base = 0;
    size_t capacity = 0;
    std::unique_ptr<char[]> bytes;
    std::atomic<size_t> size{0};  // release-stored after the bytes are copied
  };
  // What readers use: the blocks not (all) in the file yet, either may be null.
  struct View {
    std::shared_ptr<const Block> full;
    std::shared_ptr<const Block> current;
  };
  class Reader;

  // Makes room at `offset` for `bytes`; a block that fills becomes the full one. Requires
  // write_mu_ and mu_ (held by `lock`). True when a block filled.
  [[nodiscard]] Result<bool> StartBlockLocked(std::unique_lock<std::mutex>& lock, uint64_t offset,
                                              size_t bytes);
  // Unwritten bytes of one block: [from, to) of its own.
  struct Range {
    Block* block;
    size_t from;
    size_t to;
  };
  struct Unwritten {
    std::array<Range, 2> ranges;  // the full block's first
    size_t count = 0;
    bool empty() const;
  };

  // Writes the full block's unwritten bytes, then (with `current`) the current block's.
  // Requires write_mu_ and mu_ (held by `lock`, released during the writes).
  [[nodiscard]] Status WriteLocked(std::unique_lock<std::mutex>& lock, bool current);
  Unwritten UnwrittenLocked(bool current) const;  // requires mu_
  // Writes `unwritten` to `file` (null only if there is nothing to write) in order,
  // stopping at the first failure: how many ranges are in the file, and the status.
  // Requires write_mu_ (not mu_).
  static std::pair<size_t, Status> WriteRanges(WritableFile* file, const Unwritten& unwritten);
  // Records the first `written` ranges of `unwritten` as in the file; a full block all
  // written is dropped. Requires mu_.
  void MarkWrittenLocked(const Unwritten& unwritten, size_t written);
  void PublishLocked();  // requires mu_
  // The view readers use (null when everything is in the file).
  std::shared_ptr<const View> Published() const;
  void DropBlocksLocked();  // requires mu_; readers go to the file again
  // Why bytes held back cannot reach their file any more.
  static Error LostError();
  // Copies what `block` holds at [offset, ...) into `out`; 0 past its end.
  static size_t ReadBlock(const Block& block, uint64_t offset, std::span<char> out);

  // Held by WriteFullBlock while it writes and then starts the writeback, which can wait
  // for the disk's queue and so goes outside write_mu_ (an Append that needs a new block
  // waits for that), and by whoever sets file_, so that the file stays open meanwhile.
  // Taken before write_mu_.
  std::mutex writeback_mu_;
  // Held by whoever writes to the file or replaces or cuts blocks, before mu_: while it
  // is held the blocks stay the same and only grow.
  std::mutex write_mu_;
  std::mutex mu_;                 // the fields below
  std::shared_ptr<Block> block_;  // the current block (written by the flusher only)
  size_t written_ = 0;            // bytes of block_ in the file
  std::shared_ptr<Block> full_;   // the full block before it, until the file has it
  size_t full_written_ = 0;       // bytes of full_ in the file
  WritableFile* file_ = nullptr;
  bool pending_ = false;  // handed to a checkpoint, not written out
  bool lost_ = false;     // detached with bytes unwritten
  // What readers use, under a lock of its own held only to copy or swap the pointer. Not
  // std::atomic<std::shared_ptr>: libstdc++ 12's load releases its internal lock with a
  // relaxed operation, so its read of the pointer and the next store's write are unordered
  // (ThreadSanitizer reported it, ShardLogTest.StoresTheLargestRecord).
  mutable std::mutex published_mu_;
  std::shared_ptr<const View> published_;  // guarded by published_mu_
};

}  // namespace sluice::storage
