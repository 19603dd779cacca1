#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/env.h"
#include "storage/index_file.h"
#include "storage/log_options.h"
#include "storage/segment.h"

namespace sluice::storage {

// What opening a shard log folder found.
struct RecoveredLog {
  // Sorted by base position, visible ends and indexes set; the last one is open for
  // appending (its writer is set). Earlier ones are sealed.
  std::vector<std::shared_ptr<Segment>> segments;
  // Corruption found in complete segments (kDataLoss naming file and offset); reads of
  // the positions it covers fail with the same error.
  std::vector<Error> damage;
  uint64_t tail_position = 0;
  int64_t last_arrival_ms = 0;
  uint64_t scanned_bytes = 0;  // segment bytes checksummed to recover (for tests)
};

// Brings a shard log folder to a consistent state on open (docs/formats/shard-log.md):
//  - sealed segments whose index carries a matching seal entry are trusted as they are;
//  - other segments are scanned from their index checkpoint (the last index entry,
//    itself verified), rebuilding the index: a complete one is sealed, one cut short
//    is the torn tail of the log unless a later segment holds acknowledged data, in
//    which case it is damage, reported and kept;
//  - the last segment is truncated after its last whole, checksum-valid frame; if it is
//    of an older format version it is sealed and an empty successor takes the appends;
//  - missing, stale or torn index files are rebuilt; leftovers are removed.
// Blocks on the disk; the folder must not be in use.
class LogRecovery {
 public:
  [[nodiscard]] static Result<RecoveredLog> Run(Env* env, const std::string& dir,
                                                const ShardLogOptions& options);

 private:
  // What is known about one segment file before deciding its fate.
  struct SegmentFile {
    uint64_t base = 0;
    std::shared_ptr<const ReadableFile> reader;
    uint64_t size = 0;
    std::optional<SegmentHeader> header;
    IndexFileContents index;
    bool has_index_file = false;
  };
  // The outcome of scanning a segment from its checkpoint.
  struct ScanResult {
    std::vector<IndexEntry> entries;
    uint64_t end_offset = 0;
    uint64_t end_position = 0;
    int64_t last_arrival_ms = 0;
    bool index_changed = false;
  };

  LogRecovery(Env* env, std::string dir, const ShardLogOptions& options);

  [[nodiscard]] Result<RecoveredLog> Recover();
  [[nodiscard]] Status DropTornCreations(std::vector<SegmentFile>& files);
  std::shared_ptr<Segment> SealedSegment(const SegmentFile& file,
                                         std::span<const IndexEntry> entries,
                                         const IndexEntry& seal) const;
  [[nodiscard]] Result<std::shared_ptr<Segment>> ResealComplete(const SegmentFile& file,
                                                                const ScanResult& scan,
                                                                uint64_t next_base);
  std::shared_ptr<Segment> DamagedSegment(const SegmentFile& file, const ScanResult& scan,
                                          uint64_t next_base, RecoveredLog& log) const;
  [[nodiscard]] Result<std::shared_ptr<Segment>> ReopenLast(const SegmentFile& file,
                                                            const ScanResult& scan);
  // Adds the last segment to `log`, open for appending (after a new one if it is of an
  // older format version).
  [[nodiscard]] Status OpenLast(const SegmentFile& file, const ScanResult& scan, RecoveredLog& log);
  static bool LaterSegmentAcknowledged(const std::vector<SegmentFile>& files, size_t i);
  [[nodiscard]] Result<std::vector<SegmentFile>> LoadFiles();
  [[nodiscard]] Result<SegmentFile> LoadFile(uint64_t base, bool has_index_file);
  // A new, empty segment (replacing a file of the same name), synced, open for appending.
  [[nodiscard]] Result<std::shared_ptr<Segment>> CreateEmptySegment(uint64_t base);
  [[nodiscard]] Result<RecoveredLog> CreateFirstSegment(uint64_t base);
  [[nodiscard]] Result<ScanResult> Scan(const SegmentFile& file,
                                        std::optional<uint64_t> stop_position);
  [[nodiscard]] Status RemoveSegmentFiles(uint64_t base);
  [[nodiscard]] Status TruncateSegment(const SegmentFile& file, uint64_t size);
  bool TrustedSeal(const SegmentFile& file, uint64_t next_base) const;
  std::shared_ptr<Segment> MakeSegment(const SegmentFile& file) const;
  Error Damage(const SegmentFile& file, uint64_t offset, std::string_view what) const;

  Env* const env_;
  const std::string dir_;
  const ShardLogOptions& options_;
  uint64_t scanned_bytes_ = 0;
  bool dir_changed_ = false;
};

}  // namespace sluice::storage
