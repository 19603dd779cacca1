#pragma once

#include <cstddef>
#include <string_view>

namespace sluice::taxi {

// Length (1-4) of the well-formed UTF-8 sequence starting at text[at], or 0 when the bytes
// there are not one (stray continuation byte, overlong form, surrogate, past U+10FFFF,
// truncated). `at` must be < text.size().
size_t Utf8SequenceLength(std::string_view text, size_t at);

}  // namespace sluice::taxi
