# `cmake --install <build> --component producer` installs the producer library as the CMake
# package SluiceProducer (docs/producer.md): a program outside this tree then calls
# find_package(SluiceProducer) and links sluice::producer. Included by the top-level
# CMakeLists.txt only: a project that adds client/ itself builds the producer as part of
# its own build and installs nothing of sluice. Nothing else of sluice has install rules.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SLUICE_PRODUCER_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/SluiceProducer)

# Static libraries: the producer and every library of ours in its link closure, built as
# position-independent code so that a shared library can link them too. Each one's
# installed include path comes from INCLUDES DESTINATION (its build-tree path is not
# exported). The src/common headers that producer.h includes ("common/result.h") live
# under include/sluice/, not in a top-level common/ folder other packages may install to
# (a consumer's own common/ folder earlier on its include path would still shadow them).
foreach(target producer common client_aggregation protocol sigv4)
  set_target_properties(sluice_${target} PROPERTIES EXPORT_NAME ${target}
                                                    POSITION_INDEPENDENT_CODE ON)
endforeach()
install(TARGETS sluice_producer EXPORT SluiceProducerTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT producer
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS sluice_common EXPORT SluiceProducerTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT producer
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sluice)
install(TARGETS sluice_client_aggregation sluice_protocol sluice_sigv4
  EXPORT SluiceProducerTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT producer)
install(FILES ${PROJECT_SOURCE_DIR}/client/include/sluice/producer.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sluice COMPONENT producer)
install(FILES ${PROJECT_SOURCE_DIR}/src/common/error.h ${PROJECT_SOURCE_DIR}/src/common/result.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sluice/common COMPONENT producer)

install(EXPORT SluiceProducerTargets NAMESPACE sluice::
  DESTINATION ${SLUICE_PRODUCER_CMAKE_DIR} COMPONENT producer)
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/SluiceProducerConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/SluiceProducerConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/SluiceProducerConfigVersion.cmake
  DESTINATION ${SLUICE_PRODUCER_CMAKE_DIR} COMPONENT producer)
