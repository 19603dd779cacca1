#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "taxi/trip_generator.h"

namespace sluice::taxi {

// Writes a generated trip CSV file (GenerateTrips) to `path` atomically: the rows go to a
// temporary file beside it (".<name>.tmp-<pid>"), which is fsynced and renamed over `path`,
// then the folder is fsynced. On failure `path` is untouched and the temporary file is
// removed. Blocks for the whole write. Errors: kInvalidArgument (share outside [0, 1]),
// kNotFound (no such folder), kResourceExhausted (disk full), kUnavailable (other I/O
// failures); messages name the path and the system error.
[[nodiscard]] Result<GeneratedTrips> WriteTripsFile(const std::string& path, uint64_t rows,
                                                    uint64_t seed, double bad_row_share);

}  // namespace sluice::taxi
