#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace sluice {

// Lower-case hexadecimal text of `bytes`.
std::string HexEncode(std::span<const uint8_t> bytes);

}  // namespace sluice
