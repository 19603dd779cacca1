#pragma once

#include <string>

namespace sluice {

// Names the calling thread as `top -H`, `ps -L` and perf show it. Linux keeps 15
// characters; longer names are cut.
void NameThisThread(const std::string& name);

}  // namespace sluice
