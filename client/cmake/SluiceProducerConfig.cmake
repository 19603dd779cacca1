# find_package(SluiceProducer): the installed producer library (SluiceProducerInstall.cmake)
# as the imported target sluice::producer. The libraries are static, so what they link
# must be found here too; these are the Debian 12 packages the sluice build uses.
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(Boost 1.81)
find_dependency(OpenSSL 3)
find_dependency(zstd)
find_dependency(Snappy)
find_dependency(simdjson)
find_dependency(tl-expected)
include(${CMAKE_CURRENT_LIST_DIR}/SluiceProducerTargets.cmake)
