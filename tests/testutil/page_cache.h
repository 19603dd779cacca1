#pragma once

#include <cstdint>
#include <string>

namespace sluice::testutil {

// Whether the page cache may drop pages of the file at `path` (not on tmpfs, where the
// pages are the file).
bool PageCacheCanDrop(const std::string& path);

// How many pages of [from, to) of the file at `path` are in the page cache (mincore).
// Looking does not bring any in.
uint64_t CachedPages(const std::string& path, uint64_t from, uint64_t to);

}  // namespace sluice::testutil
