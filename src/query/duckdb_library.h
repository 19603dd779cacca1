#pragma once

#include <string_view>

namespace sluice::query {

// The version of the DuckDB library sluice is linked against, e.g. "v1.4.4".
std::string_view DuckDbVersion();

}  // namespace sluice::query
