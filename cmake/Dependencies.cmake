# Third-party libraries, all from Debian 12 packages except DuckDB (see DESIGN.md §7).
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(simdjson REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(tl-expected REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
include(GoogleTest)

# DuckDB: a system installation when CMake finds one, otherwise the pinned copy that
# scripts/fetch_duckdb.sh puts in third_party/duckdb.
find_library(DUCKDB_LIBRARY duckdb
  HINTS ${PROJECT_SOURCE_DIR}/third_party/duckdb/lib)
find_path(DUCKDB_INCLUDE_DIR duckdb.h
  HINTS ${PROJECT_SOURCE_DIR}/third_party/duckdb/include)
if(NOT DUCKDB_LIBRARY OR NOT DUCKDB_INCLUDE_DIR)
  message(FATAL_ERROR "DuckDB not found: run scripts/fetch_duckdb.sh (or scripts/bootstrap.sh)")
endif()
add_library(duckdb SHARED IMPORTED)
set_target_properties(duckdb PROPERTIES
  IMPORTED_LOCATION ${DUCKDB_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${DUCKDB_INCLUDE_DIR})
