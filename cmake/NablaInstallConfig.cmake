# Lets installed Nabla be found two ways:
#  - CMake: find_package(Nabla) gives the target Nabla::Nabla;
#  - anything else: pkg-config --cflags --libs nabla gives swiftc's flags.
include(CMakePackageConfigHelpers)

set(NABLA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Nabla")
install(EXPORT NablaTargets NAMESPACE Nabla:: DESTINATION "${NABLA_INSTALL_CMAKEDIR}")
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/NablaConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/NablaConfig.cmake"
  INSTALL_DESTINATION "${NABLA_INSTALL_CMAKEDIR}")
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/NablaConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/NablaConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/NablaConfigVersion.cmake"
  DESTINATION "${NABLA_INSTALL_CMAKEDIR}")

# The .pc file locates the prefix from its own folder, so an installed tree
# still works after it is moved or installed with `cmake --install --prefix`.
set(NABLA_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH NABLA_PKGCONFIG_TO_PREFIX
  "/prefix/${NABLA_INSTALL_PKGCONFIGDIR}" "/prefix")
string(REGEX REPLACE "/$" "" NABLA_PKGCONFIG_TO_PREFIX "${NABLA_PKGCONFIG_TO_PREFIX}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/nabla.pc.in" "${CMAKE_CURRENT_BINARY_DIR}/nabla.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/nabla.pc" DESTINATION "${NABLA_INSTALL_PKGCONFIGDIR}")
