#pragma once

// AVX-512 intrinsics, for functions compiled with __attribute__((target("avx512..."))) and
// called only after __builtin_cpu_supports says the CPU has them (the build targets plain
// x86-64). Include it in .cc files only.
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics start masked operations from a self-initialised "undefined"
// vector, which -Wmaybe-uninitialized reports in every caller (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
