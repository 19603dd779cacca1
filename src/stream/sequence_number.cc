#include "stream/sequence_number.h"

#include "common/hash_key.h"

namespace sluice::stream {

namespace {

constexpr std::string_view kPrefix = "40000000000000000";  // "4" + 16 zeros
constexpr size_t kValueDigits = 39;
static_assert(kPrefix.size() + kValueDigits == kSequenceNumberLength);

}  // namespace

std::string FormatSequenceNumber(SequencePosition position) {
  const HashKey value = (HashKey{position.shard_index} << 64) | position.position;
  std::string digits = FormatHashKey(value);
  std::string text(kPrefix);
  text.append(kValueDigits - digits.size(), '0');
  text += digits;
  return text;
}

void IncrementSequenceNumber(std::string& text) {
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
  if (!text_.empty() && position.position == position_ + 1) {
    IncrementSequenceNumber(text_);
  } else {
    text_ = FormatSequenceNumber(position);
  }
  position_ = position.position;
  return text_;
}

std::optional<SequencePosition> ParseSequenceNumber(std::string_view text) {
  if (text.size() != kPrefix.size() + kValueDigits || !text.starts_with(kPrefix)) {
    return std::nullopt;
  }
  std::string_view digits = text.substr(kPrefix.size());
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  const std::optional<HashKey> value = ParseHashKey(digits);
  if (!value || (*value >> 64) > UINT32_MAX) return std::nullopt;
  return SequencePosition{static_cast<uint32_t>(*value >> 64), static_cast<uint64_t>(*value)};
}

}  // namespace sluice::stream
