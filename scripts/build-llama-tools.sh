#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench and llama-server from the same pinned
# source duet embeds (scripts/fetch-llama.sh), into duet's cache, and prints
# the folder holding the binaries. Release flags, CPU backend, static, like
# duet's own build; ccache makes rebuilds cheap.
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
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_OPENSSL=OFF \
  "${launcher[@]}" >&2
cmake --build "$build_dir" --target "${targets[@]}" >&2
echo "$build_dir/bin"
