#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench and llama-server from the same pinned
# source duet embeds (scripts/fetch-llama.sh), into duet's cache, and prints
# the folder holding the binaries. cmake/llama-tools builds them with the same
# flags as duet's own build (cmake/llama_build_flags.cmake): Release, CPU
# backend, static. ccache makes rebuilds cheap.
#
#   scripts/build-llama-tools.sh                 # llama-bench and llama-server
#   scripts/build-llama-tools.sh llama-server    # just these targets
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
((${#targets[@]})) || targets=(llama-bench llama-server)

source_dir="$(scripts/fetch-llama.sh)"
cache="${DUET_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/duet}"
build_dir="$cache/llama-tools-$(basename "$source_dir")"

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_DIR="$cache/ccache" CCACHE_NOHASHDIR=1
fi
# The project is copied into the cache (only files that changed, so nothing
# is reconfigured for nothing), so clones in other folders share one build.
project="$cache/llama-tools-project"
mkdir -p "$project/llama-tools"
install -C -m 644 cmake/llama-tools/CMakeLists.txt "$project/llama-tools/CMakeLists.txt"
install -C -m 644 cmake/llama_build_flags.cmake "$project/llama_build_flags.cmake"
# A folder configured from llama.cpp's own top level, as before, starts afresh.
if [[ -f "$build_dir/CMakeCache.txt" ]] &&
  ! grep -q "^CMAKE_HOME_DIRECTORY:INTERNAL=$project/llama-tools$" "$build_dir/CMakeCache.txt"; then
  rm -rf "$build_dir"
fi
cmake -S "$project/llama-tools" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DDUET_LLAMA_SOURCE_DIR="$source_dir" "${launcher[@]}" >&2
cmake --build "$build_dir" --target "${targets[@]}" >&2
echo "$build_dir/bin"
