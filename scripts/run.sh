#!/usr/bin/env bash
# Installs dependencies, builds the release binary, and runs `duet demo`:
# a mixed workload through the gateway, each routing decision, the cost
# report, then the gateway keeps serving until Ctrl-C (docs/demo.md).
#
#   scripts/run.sh                          # the demo
#   scripts/run.sh --model qwen=/m/q.gguf   # the demo on your model (flags go to it)
#   scripts/run.sh serve [flags...]         # any duet subcommand instead
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target duet
if (($# == 0)) || [[ "$1" == -* ]]; then
  exec build/release/duet demo "$@"
fi
exec build/release/duet "$@"
