#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "aggregation/aggregated_record.h"

namespace sluice::client {

// How GoogleTest prints a UserRecord in a failure: keys, data size and the first bytes.
inline void PrintTo(const UserRecord& record, std::ostream* out) {
  const auto printable = [](std::string_view bytes) {
    std::string text;
    for (const char c : bytes.substr(0, 24)) {
      text += (c >= 0x20 && c < 0x7f) ? std::string(1, c)
                                      : "\\x" + std::to_string(static_cast<uint8_t>(c));
    }
    return bytes.size() > 24 ? text + "..." : text;
  };
  *out << "{pk '" << printable(record.partition_key) << "', ehk "
       << (record.explicit_hash_key ? "'" + *record.explicit_hash_key + "'" : "none") << ", "
       << record.data.size() << " bytes '" << printable(record.data) << "'}";
}

}  // namespace sluice::client
