#pragma once

#include <cstdint>

namespace sluice {

// Resident set size of this process in bytes, read from /proc/self/statm; 0 if unreadable.
uint64_t ResidentSetBytes();

}  // namespace sluice
