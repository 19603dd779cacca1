#include "stream/sequence_number.h"

#include <algorithm>

#include "common/hash_key.h"

namespace sluice::stream {

namespace {

constexpr std::string_view kPrefix = "40000000000000000";  // "4" + 16 zeros
static_assert(kPrefix.size() + kHashKeyDigits == kSequenceNumberLength);

}  // namespace

void FormatSequenceNumberInto(SequencePosition position,
                              std::span<char, kSequenceNumberLength> out) {
  std::copy(kPrefix.begin(), kPrefix.end(), out.begin());
  FormatHashKeyDigits((HashKey{position.shard_index} << 64) | position.position,
                      out.subspan<kPrefix.size(), kHashKeyDigits>());
}

std::string FormatSequenceNumber(SequencePosition position) {
  std::string text(kSequenceNumberLength, '\0');
  FormatSequenceNumberInto(position, std::span<char, kSequenceNumberLength>(text));
  return text;
}

void IncrementSequenceNumber(std::span<char, kSequenceNumberLength> text) {
  // Positions stay below 2^64, so the carry never leaves the value digits.
  for (size_t i = text.size(); i-- > kPrefix.size();) {
    if (text[i] != '9') {
      ++text[i];
      return;
    }
    text[i] = '0';
  }
}

std::string_view SequenceNumberRun::Next(SequencePosition position) {
  if (started_ && position.position == position_ + 1) {
    IncrementSequenceNumber(text_);
  } else {
    FormatSequenceNumberInto(position, text_);
  }
  started_ = true;
  position_ = position.position;
  return std::string_view(text_.data(), text_.size());
}

std::optional<SequencePosition> ParseSequenceNumber(std::string_view text) {
  if (text.size() != kSequenceNumberLength || !text.starts_with(kPrefix)) {
    return std::nullopt;
  }
  std::string_view digits = text.substr(kPrefix.size());
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  const std::optional<HashKey> value = ParseHashKey(digits);
  if (!value || (*value >> 64) > UINT32_MAX) return std::nullopt;
  return SequencePosition{static_cast<uint32_t>(*value >> 64), static_cast<uint64_t>(*value)};
}

}  // namespace sluice::stream
