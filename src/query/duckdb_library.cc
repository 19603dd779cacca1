#include "query/duckdb_library.h"

#include <duckdb.h>

namespace sluice::query {

std::string_view DuckDbVersion() { return duckdb_library_version(); }

}  // namespace sluice::query
