# The C shims (Sources/<Name>/module.modulemap + shim.h) as CMake INTERFACE
# targets: linking one puts its folder on swiftc's search path, so
# `import <Name>` finds the module map, and brings the pkg-config include and
# link flags of the system library it wraps, as SwiftPM's .systemLibrary does.
find_package(PkgConfig REQUIRED)

function(nabla_add_system_library name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PKG_CONFIG" "")
  if(NOT arg_PKG_CONFIG)
    message(FATAL_ERROR "nabla_add_system_library(${name}) needs PKG_CONFIG <package>")
  endif()
  set(shim_dir "${PROJECT_SOURCE_DIR}/Sources/${name}")
  foreach(file module.modulemap shim.h)
    if(NOT EXISTS "${shim_dir}/${file}")
      message(FATAL_ERROR "System library shim ${name} has no ${shim_dir}/${file}")
    endif()
  endforeach()

  pkg_check_modules(${name}_PKG REQUIRED IMPORTED_TARGET GLOBAL ${arg_PKG_CONFIG})

  add_library(${name} INTERFACE)
  target_include_directories(${name} INTERFACE
    "$<BUILD_INTERFACE:${shim_dir}>"
    "$<INSTALL_INTERFACE:${NABLA_INSTALL_SWIFTMODULEDIR}/${name}>")
  target_link_libraries(${name} INTERFACE PkgConfig::${name}_PKG)
  install(FILES "${shim_dir}/module.modulemap" "${shim_dir}/shim.h"
    DESTINATION "${NABLA_INSTALL_SWIFTMODULEDIR}/${name}")
endfunction()
