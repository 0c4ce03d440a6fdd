# ctest helper: builds SOURCE against the Nabla installed in PREFIX, by ROUTE
#   pkg-config    swiftc with `pkg-config --cflags --libs nabla`
#   find-package  the CMake project Tests/CMake/InstalledConsumer
# and runs it through RunAndCompare.cmake against EXPECTED.
foreach(var ROUTE PREFIX LIBDIR WORK_DIR SOURCE EXPECTED SWIFTC GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "CheckInstalledConsumer.cmake needs -D${var}=...")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${status}): ${command}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

if(ROUTE STREQUAL "pkg-config")
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${LIBDIR}/pkgconfig")
  execute_process(COMMAND pkg-config --cflags --libs nabla
    OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "pkg-config finds no nabla.pc in $ENV{PKG_CONFIG_PATH}")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  set(program "${WORK_DIR}/nabla-consumer")
  run("${SWIFTC}" -swift-version 5 "${SOURCE}" ${flags}
      -Xlinker -rpath -Xlinker "${PREFIX}/${LIBDIR}" -o "${program}")
elseif(ROUTE STREQUAL "find-package")
  get_filename_component(project_dir "${CMAKE_CURRENT_LIST_DIR}/../Tests/CMake/InstalledConsumer" ABSOLUTE)
  run("${CMAKE_COMMAND}" -S "${project_dir}" -B "${WORK_DIR}" -G "${GENERATOR}"
      -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_PREFIX_PATH=${PREFIX}"
      "-DCMAKE_Swift_COMPILER=${SWIFTC}" "-DNABLA_CONSUMER_SOURCE=${SOURCE}")
  run("${CMAKE_COMMAND}" --build "${WORK_DIR}")
  set(program "${WORK_DIR}/nabla-consumer")
else()
  message(FATAL_ERROR "Unknown ROUTE '${ROUTE}' (pkg-config or find-package)")
endif()

run("${CMAKE_COMMAND}" "-DPROGRAM=${program}" "-DEXPECTED=${EXPECTED}"
    -P "${CMAKE_CURRENT_LIST_DIR}/RunAndCompare.cmake")
