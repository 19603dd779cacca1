#pragma once

#include <string>

namespace sluice {

// A random (version 4) UUID in its 36-character text form, as AWS request ids are.
// Thread-safe; uses a per-thread generator seeded from the OS.
std::string NewUuid();

}  // namespace sluice
