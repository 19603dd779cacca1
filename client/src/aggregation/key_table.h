#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::client {

// One of an aggregate's key tables (partition keys or explicit hash keys): each distinct key
// once, in order of first use, both as the encoded repeated field and as an index to find a
// key's position. The keys live only in the encoded field (the index holds offsets into it),
// and Clear() keeps every buffer, so a steady stream of new keys allocates nothing.
// Not thread-safe.
class KeyTable {
 public:
  // `field`: the AggregatedRecord field number the keys are written under.
  explicit KeyTable(uint32_t field) : field_(field) {}

  // The index `key` has, or size() when it has none yet.
  uint64_t Find(std::string_view key) const;
  // The index of `key`, adding it with index size() (and its field) when new.
  uint64_t Intern(std::string_view key);

  uint64_t size() const { return size_; }
  // The repeated field as the protobuf carries it: tag, length and key for each key.
  const std::string& fields() const { return fields_; }
  void Clear();

 private:
  struct Slot {
    uint32_t offset = 0;  // of the key's bytes in fields_
    uint32_t length = 0;
    uint32_t index = kEmpty;
    uint32_t hash = 0;  // low bits of the key's hash, to skip most comparisons
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;

  static uint64_t Hash(std::string_view key);
  // The slot holding `key`, or the empty slot where it would go.
  size_t Probe(std::string_view key, uint64_t hash) const;
  void Grow();

  uint32_t field_;
  std::string fields_;
  std::vector<Slot> slots_;  // open addressing, linear probing; a power of two, ≤ half full
  uint64_t size_ = 0;
};

}  // namespace sluice::client
