# Compiler settings shared by every Swift target of the CMake build, so that it
# compiles the way `swift build -c release` does.

# Nabla.swiftmodule lands here at build time; targets linking Nabla import it from here.
set(NABLA_SWIFTMODULE_BUILD_DIR "${CMAKE_BINARY_DIR}/swift")

# nabla_apply_swift_settings(target [language-mode]): the mode defaults to 5; the
# library passes 6, as Package.swift builds it (complete concurrency checking).
function(nabla_apply_swift_settings target)
  set(mode 5)
  if(ARGC GREATER 1)
    set(mode "${ARGV1}")
  endif()
  target_compile_options(${target} PRIVATE "SHELL:-swift-version ${mode}")
  # The package name SwiftPM gives every target, so that `package` declarations
  # (such as Nabla's Locked) compile here too.
  target_compile_options(${target} PRIVATE "SHELL:-package-name nabla")
  if(NOT POLICY CMP0157)
    # Before CMake 3.29 CMAKE_Swift_COMPILATION_MODE does nothing; CMake then
    # compiles and links each target in one swiftc call, where -wmo asks for the
    # same whole-module optimisation. -num-threads makes it still write one
    # object per source, the outputs Ninja checks; without it every build
    # would recompile the module.
    target_compile_options(${target} PRIVATE
      "$<$<NOT:$<CONFIG:Debug>>:-wmo;SHELL:-num-threads ${CMAKE_Swift_NUM_THREADS}>")
  endif()
endfunction()
