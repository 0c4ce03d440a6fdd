# ctest helper: runs PROGRAM and fails unless its standard output equals the
# file EXPECTED exactly.
#   cmake -DPROGRAM=<exe> -DEXPECTED=<file> -P RunAndCompare.cmake
foreach(var PROGRAM EXPECTED)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "RunAndCompare.cmake needs -D${var}=...")
  endif()
endforeach()
execute_process(COMMAND "${PROGRAM}" OUTPUT_VARIABLE actual RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(NOTICE "--- ${PROGRAM} printed:\n${actual}---")
  message(FATAL_ERROR "${PROGRAM} exited with ${status}")
endif()
file(READ "${EXPECTED}" expected)
if(NOT actual STREQUAL expected)
  # NOTICE prints the text as is; FATAL_ERROR would reflow it.
  message(NOTICE "--- ${PROGRAM} printed:\n${actual}--- expected (${EXPECTED}):\n${expected}---")
  message(FATAL_ERROR "${PROGRAM}: output differs from ${EXPECTED}")
endif()
message(STATUS "${PROGRAM}: output matches ${EXPECTED}")
