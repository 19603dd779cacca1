#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sluice::stream {

// Where a record sits: its shard's index in the stream and its position in the shard log.
struct SequencePosition {
  uint32_t shard_index = 0;
  uint64_t position = 0;

  friend bool operator==(const SequencePosition&, const SequencePosition&) = default;
};

// Kinesis sequence numbers are 56-digit decimal strings. sluice writes
// "4" + 16 zeros + the 39-digit decimal of (shard_index * 2^64 + position), so they
// increase strictly within a shard, a child shard's numbers exceed its parents', and the
// server decodes them back to (shard, position) without a lookup. docs/formats/
// sequence-numbers.md has the details.
std::string FormatSequenceNumber(SequencePosition position);
inline constexpr size_t kSequenceNumberLength = 56;
// The same into `out`, without allocating.
void FormatSequenceNumberInto(SequencePosition position,
                              std::span<char, kSequenceNumberLength> out);

// Turns `text`, a sequence number of FormatSequenceNumber, into the next position's in
// place: cheaper than formatting each of a run of consecutive records.
void IncrementSequenceNumber(std::span<char, kSequenceNumberLength> text);

// The sequence numbers of one shard's records in position order (a GetRecords page, a
// shard's records of a PutRecords response): a record right after the previous one gets
// that one's text incremented rather than a 128-bit number formatted anew.
class SequenceNumberRun {
 public:
  // `position`'s sequence number; valid until the next call.
  std::string_view Next(SequencePosition position);

 private:
  std::array<char, kSequenceNumberLength> text_;
  bool started_ = false;  // text_ holds position_'s number
  uint64_t position_ = 0;
};

// nullopt for anything sluice did not issue (any other length, prefix or digits).
std::optional<SequencePosition> ParseSequenceNumber(std::string_view text);

}  // namespace sluice::stream
