# How llama.cpp is compiled, shared by duet's own build (cmake/llama.cmake)
# and the build of llama.cpp's tools that the benchmarks and tests compare
# duet with (cmake/llama-tools/), so both run the same machine code.
#
# duet_add_llama_subproject(SOURCE_DIR BINARY_DIR)
#   add_subdirectory() of a llama.cpp checkout, with:
#   - the Release flags in every build type. The Debug and sanitizer builds
#     the test suite uses then run the optimised llama.cpp users run (the
#     sanitizers still check duet's side of each call), at its normal speed.
#   - the work-around below for a GCC optimiser bug.
#
# GCC 12 (Debian 12's) drops the stores that fill the AMX tile configuration
# in ggml's AMX kernels (ggml-cpu/amx/mmq.cpp) at -O2 and above: its RTL
# dead-store pass does not count `ldtilecfg` as a read of the structure. The
# kernels then load a configuration with no tiles, and the first tile
# instruction of any prompt longer than one token raises SIGILL on a CPU with
# AMX (Xeon since Sapphire Rapids) for every Q4_0, Q4_1, Q8_0, Q4_K, Q5_K,
# Q6_K and IQ4_XS model. `-fno-dse` on that one file keeps the stores and
# the AMX kernels.

function(duet_add_llama_subproject source_dir binary_dir)
  foreach(lang C CXX)
    set(CMAKE_${lang}_FLAGS_DEBUG "${CMAKE_${lang}_FLAGS_RELEASE}")
    set(CMAKE_${lang}_FLAGS_RELWITHDEBINFO "${CMAKE_${lang}_FLAGS_RELEASE}")
    set(CMAKE_${lang}_FLAGS_MINSIZEREL "${CMAKE_${lang}_FLAGS_RELEASE}")
  endforeach()
  add_subdirectory(${source_dir} ${binary_dir} ${ARGN})

  set(amx_kernels "${source_dir}/ggml/src/ggml-cpu/amx/mmq.cpp")
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND TARGET ggml-cpu AND EXISTS "${amx_kernels}")
    get_target_property(cpu_backend_dir ggml-cpu SOURCE_DIR)
    set_source_files_properties("${amx_kernels}" DIRECTORY "${cpu_backend_dir}"
                                PROPERTIES COMPILE_OPTIONS -fno-dse)
  endif()
endfunction()
