#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/env.h"
#include "storage/sparse_index.h"

namespace sluice::storage {

// The ".idx" file beside each segment (docs/formats/shard-log.md): a header, then
// fixed-size entries, each with its own CRC32C. Sparse entries are appended after the
// data they point at is durable, so the last one is a checkpoint: recovery trusts the
// data before it and only scans after it. A seal entry, written once the segment is
// complete and synced, records its end (position, byte size, last arrival time).
//
// The index is a hint: any damage to it costs a rescan of the segment, never data.
inline constexpr size_t kIndexHeaderBytes = 32;
inline constexpr size_t kIndexEntryBytes = 32;

// What Load found: the valid prefix of an index file.
struct IndexFileContents {
  std::vector<IndexEntry> entries;  // increasing position and offset
  std::optional<IndexEntry> seal;   // {end position, end offset, last arrival}
  uint64_t valid_bytes = 0;         // header plus the valid entries; 0 if the header is bad
};

// An index file open for appending. Not thread-safe (the flusher thread uses it).
class IndexFile {
 public:
  // Reads an index file, stopping at the first bad, out-of-order or unknown entry (a
  // torn tail). kNotFound if the file does not exist.
  [[nodiscard]] static Result<IndexFileContents> Load(Env* env, const std::string& path,
                                                      uint64_t base_position);
  // Writes a complete index file (through a temporary file and a rename) and syncs it.
  // The caller syncs the folder.
  [[nodiscard]] static Status Rewrite(Env* env, const std::string& path, uint64_t base_position,
                                      std::span<const IndexEntry> entries,
                                      const std::optional<IndexEntry>& seal);
  // Creates an empty index file (header only); not synced.
  [[nodiscard]] static Result<std::unique_ptr<IndexFile>> Create(Env* env, const std::string& path,
                                                                 uint64_t base_position);
  // Opens an existing index file to append after its first `valid_bytes` bytes, dropping
  // anything beyond them.
  [[nodiscard]] static Result<std::unique_ptr<IndexFile>> OpenForAppend(Env* env,
                                                                        const std::string& path,
                                                                        uint64_t valid_bytes);

  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  // Appends sparse entries with one write; not synced.
  [[nodiscard]] Status Append(std::span<const IndexEntry> entries);
  // Appends the seal entry and syncs the file.
  [[nodiscard]] Status AppendSeal(const IndexEntry& seal);

 private:
  IndexFile(std::unique_ptr<WritableFile> file, uint64_t end) : file_(std::move(file)), end_(end) {}

  std::unique_ptr<WritableFile> file_;
  uint64_t end_;
};

}  // namespace sluice::storage
