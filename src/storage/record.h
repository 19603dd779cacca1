#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::storage {

// Storage limits of one record (the Kinesis API layer enforces its own, smaller ones).
inline constexpr size_t kMaxPartitionKeyBytes = 1024;   // 256 characters of UTF-8
inline constexpr size_t kMaxExplicitHashKeyBytes = 64;  // a 128-bit decimal has 39 digits
inline constexpr size_t kMaxRecordDataBytes = size_t{10} << 20;

// One record to append. The views must stay valid until AppendBatch returns or, for
// AppendAsync, until AppendAsync returns (the bytes are copied before it returns).
struct RecordInput {
  std::string_view partition_key;
  std::string_view explicit_hash_key;  // empty: none
  std::string_view data;
};

// One stored record as a reader sees it. The views point into the ReadBatch that
// returned it and live as long as that batch is not cleared, reused or destroyed.
struct Record {
  uint64_t position = 0;   // consecutive per shard, from 0
  int64_t arrival_ms = 0;  // when the log accepted it (ms since the Unix epoch)
  std::string_view partition_key;
  std::string_view explicit_hash_key;  // empty: none
  std::string_view data;
  bool sealed = false;  // stored in a sealed (encrypted) batch
};

// What a successful append assigned: positions [first_position, first_position + count),
// all with the same arrival time.
struct AppendResult {
  uint64_t first_position = 0;
  uint32_t count = 0;
  int64_t arrival_ms = 0;
};

}  // namespace sluice::storage
