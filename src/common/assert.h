#pragma once

#include <cstdio>
#include <cstdlib>

// SLUICE_ASSERT(cond, "what broke"): aborts on a broken invariant. Bugs only: it must be
// unreachable from user input (STYLE.md §4).
#define SLUICE_ASSERT(cond, what)                                                              \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "sluice: assertion failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   what, #cond);                                                               \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)
