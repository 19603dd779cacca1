# Warnings and common settings for every target of ours (not for third-party code).
function(sluice_target_defaults target)
  # -Wmismatched-new-delete misfires on Asio's coroutine frames under g++ 12.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
                                           -Wno-mismatched-new-delete)
endfunction()

# sluice_library(<module> SOURCES ... DEPS ...): the CMake library `sluice_<module>`,
# with includes rooted at src/ (in the build tree only: an installed library gets its
# include path from its install() rule).
function(sluice_library module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(sluice_${module} STATIC ${ARG_SOURCES})
  target_include_directories(sluice_${module} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  target_link_libraries(sluice_${module} PUBLIC ${ARG_DEPS})
  sluice_target_defaults(sluice_${module})
endfunction()

# sluice_test(<name> LABEL <label> SOURCES ... DEPS ...): one GoogleTest executable
# registered with CTest under the given label.
function(sluice_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  sluice_target_defaults(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()
