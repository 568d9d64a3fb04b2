# Install rules: `cmake --install BUILD [--prefix P]` puts the command-line tool in P/bin, the
# headers of common/, engine/ and tuner/ in P/include/knntune, the static libraries in P/lib and
# a CMake package in P/lib/cmake/knntune (docs/cmake-package.md). A consumer writes
#     find_package(knntune 0.1 REQUIRED)
#     target_link_libraries(app PRIVATE knntune::engine knntune::tuner)
# and includes the headers as the project does: #include "engine/similarity/similarity.hpp".
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KNNTUNE_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/knntune)
set(KNNTUNE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/knntune)

set_target_properties(knntune_common PROPERTIES EXPORT_NAME common)
set_target_properties(knntune_engine PROPERTIES EXPORT_NAME engine)
set_target_properties(knntune_tuner PROPERTIES EXPORT_NAME tuner)
foreach(lib knntune_common knntune_engine knntune_tuner)
    target_include_directories(${lib} INTERFACE $<INSTALL_INTERFACE:${KNNTUNE_INSTALL_INCLUDEDIR}>)
endforeach()

install(TARGETS knntune_common knntune_engine knntune_tuner
    EXPORT knntuneTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(TARGETS knntune RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tool)
foreach(dir common engine tuner)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
        DESTINATION ${KNNTUNE_INSTALL_INCLUDEDIR}/${dir}
        COMPONENT dev
        FILES_MATCHING PATTERN "*.hpp")
endforeach()

install(EXPORT knntuneTargets
    NAMESPACE knntune::
    DESTINATION ${KNNTUNE_INSTALL_CMAKEDIR}
    COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/knntuneConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/knntuneConfig.cmake
    INSTALL_DESTINATION ${KNNTUNE_INSTALL_CMAKEDIR}
    PATH_VARS KNNTUNE_INSTALL_INCLUDEDIR)
# NOTE: 0.x releases may change the API between minor versions, so a consumer asking for 0.1
# accepts 0.1.y only.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/knntuneConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)
install(FILES
    ${CMAKE_CURRENT_BINARY_DIR}/knntuneConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/knntuneConfigVersion.cmake
    DESTINATION ${KNNTUNE_INSTALL_CMAKEDIR}
    COMPONENT dev)
