#!/usr/bin/env bash
# Local engine benchmark, side by side in one run: duet's embedded engine vs
# llama.cpp's own llama-bench and llama-server, same pinned source, same
# generated model (the shape of Qwen2.5-0.5B at q8_0), same thread count.
#
#   bench/local_engine.sh              # THREADS=2 by default
#   THREADS=8 bench/local_engine.sh
#   FLASH_ATTENTION=on bench/local_engine.sh   # all three alike; default off,
#                                              # duet's choice on a CPU
#
# Never part of the test suite. Prints a table of rates, ratios and targets.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${THREADS:-2}"

scripts/install-deps.sh >&2
cmake --preset release >&2
cmake --build --preset release --target duet make_test_model duet_bench_engine_overhead >&2
tools="$(scripts/build-llama-tools.sh)"

cache="${DUET_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/duet}"
llama_source="$(scripts/fetch-llama.sh)"
model="$cache/bench-models/qwen-shape-0.5b-q8_0.gguf"
if [[ ! -f "$model" ]]; then
  mkdir -p "$(dirname "$model")"
  build/release/make_test_model --vocab "$llama_source/models/ggml-vocab-qwen2.gguf" \
    --out "$model" --shape 0.5b --type q8_0 >&2
fi

python3 bench/local_engine.py --model "$model" --duet build/release/duet \
  --llama-bench "$tools/llama-bench" --llama-server "$tools/llama-server" \
  --threads "$threads" --repeat "${REPEAT:-5}" --flash-attention "${FLASH_ATTENTION:-off}"

echo
echo "In-process (duet's engine vs llama.h driven directly, same context shape):"
build/release/bench/duet_bench_engine_overhead "$model" "$threads" "${REPEAT:-5}" 4 2>/dev/null | grep -v '^\['
