# llama.cpp, built as a CMake subproject: static, CPU backend, with its
# `common` library (chat templates, tool-call parsing) and its `mtmd` library
# (images through a vision projector), and without its tests,
# tools, examples or server.
#
# Source: DUET_LLAMA_SOURCE_DIR when set (any llama.cpp checkout), otherwise
# the pinned release that scripts/fetch-llama.sh puts in duet's cache,
# outside the source tree. Compiled objects are cached by ccache when it is
# installed (scripts/install-deps.sh installs it), in the same cache folder,
# so a fresh clone or a wiped build folder does not rebuild llama.cpp.
# It is compiled with the Release flags in every build type, and with the
# work-around for a GCC bug that cmake/llama_build_flags.cmake describes.

set(DUET_LLAMA_SOURCE_DIR "" CACHE PATH
    "llama.cpp checkout to build (default: the pinned release, fetched into the cache)")

if(NOT DUET_LLAMA_SOURCE_DIR)
  execute_process(
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/fetch-llama.sh
    OUTPUT_VARIABLE fetched_llama
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE fetch_result)
  if(NOT fetch_result EQUAL 0 OR NOT EXISTS "${fetched_llama}/CMakeLists.txt")
    message(FATAL_ERROR
      "fetching llama.cpp failed (scripts/fetch-llama.sh); set "
      "DUET_LLAMA_SOURCE_DIR to a llama.cpp checkout to build against it instead")
  endif()
  set(llama_source "${fetched_llama}")
else()
  if(NOT EXISTS "${DUET_LLAMA_SOURCE_DIR}/include/llama.h")
    message(FATAL_ERROR
      "DUET_LLAMA_SOURCE_DIR=${DUET_LLAMA_SOURCE_DIR} is not a llama.cpp checkout "
      "(no include/llama.h)")
  endif()
  set(llama_source "${DUET_LLAMA_SOURCE_DIR}")
endif()
message(STATUS "llama.cpp: ${llama_source}")
# The vocabulary-only GGUFs llama.cpp ships: tests build models from them.
set(DUET_LLAMA_MODELS_DIR "${llama_source}/models" CACHE INTERNAL "")

set(BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_COMMON ON CACHE BOOL "" FORCE)
# libmtmd alone (tools/mtmd without the CLI tools): images for models that
# come with a vision projector (mmproj) GGUF.
set(LLAMA_BUILD_MTMD ON CACHE BOOL "" FORCE)
foreach(off LLAMA_BUILD_TESTS LLAMA_BUILD_TOOLS LLAMA_BUILD_EXAMPLES
            LLAMA_BUILD_SERVER LLAMA_BUILD_APP LLAMA_BUILD_UI LLAMA_OPENSSL
            LLAMA_SUBPROCESS LLAMA_ALL_WARNINGS GGML_BACKEND_DL)
  set(${off} OFF CACHE BOOL "" FORCE)
endforeach()

include(${CMAKE_CURRENT_LIST_DIR}/llama_build_flags.cmake)
duet_add_llama_subproject(${llama_source} ${CMAKE_BINARY_DIR}/llama.cpp EXCLUDE_FROM_ALL SYSTEM)
