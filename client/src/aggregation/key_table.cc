#include "aggregation/key_table.h"

#include <algorithm>
#include <cstring>

#include "aggregation/protobuf_wire.h"
#include "common/assert.h"

namespace sluice::client {

namespace {

constexpr size_t kInitialSlots = 64;

uint64_t Mix(uint64_t hash, uint64_t word) {
  hash = (hash ^ word) * 0xbf58476d1ce4e5b9ULL;
  return hash ^ (hash >> 31);
}

}  // namespace

uint64_t KeyTable::Hash(std::string_view key) {
  // Eight bytes a step (keys are short; the table only needs them spread, not secret).
  uint64_t hash = 0x9e3779b97f4a7c15ULL * (key.size() + 1);
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, key.data() + i, 8);
    hash = Mix(hash, word);
  }
  if (i < key.size()) {
    uint64_t word = 0;
    std::memcpy(&word, key.data() + i, key.size() - i);
    hash = Mix(hash, word);
  }
  return Mix(hash, 0);
}

size_t KeyTable::Probe(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const auto short_hash = static_cast<uint32_t>(hash >> 32);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.index == kEmpty) return i;
    if (slot.hash == short_hash && slot.length == key.size() &&
        std::memcmp(fields_.data() + slot.offset, key.data(), key.size()) == 0) {
      return i;
    }
  }
}

uint64_t KeyTable::Find(std::string_view key) const {
  if (slots_.empty()) return size_;
  const Slot& slot = slots_[Probe(key, Hash(key))];
  return slot.index == kEmpty ? size_ : slot.index;
}

uint64_t KeyTable::Intern(std::string_view key) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = Hash(key);
  Slot& slot = slots_[Probe(key, hash)];
  if (slot.index != kEmpty) return slot.index;
  AppendLengthDelimitedField(field_, key, fields_);
  SLUICE_ASSERT(fields_.size() <= UINT32_MAX, "key table past 4 GiB");
  slot = Slot{.offset = static_cast<uint32_t>(fields_.size() - key.size()),
              .length = static_cast<uint32_t>(key.size()),
              .index = static_cast<uint32_t>(size_),
              .hash = static_cast<uint32_t>(hash >> 32)};
  return size_++;
}

void KeyTable::Grow() {
  std::vector<Slot> old(std::max(kInitialSlots, slots_.size() * 2));
  old.swap(slots_);
  for (const Slot& slot : old) {
    if (slot.index == kEmpty) continue;
    const std::string_view key(fields_.data() + slot.offset, slot.length);
    slots_[Probe(key, Hash(key))] = slot;
  }
}

void KeyTable::Clear() {
  fields_.clear();
  if (size_ > 0) std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
}

}  // namespace sluice::client
