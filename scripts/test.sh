#!/usr/bin/env bash
# Installs dependencies, builds duet with AddressSanitizer + UBSan, and runs the
# whole test suite (unit, integration, official SDK clients) through ctest.
#
#   scripts/test.sh              # everything
#   scripts/test.sh -L unit      # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if [[ -f tests/clients/package-lock.json ]]; then
  (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)
fi
# llama.cpp's own llama-server, from the same pinned source, is a real
# OpenAI-compatible peer for the upstream tests (cached after the first run).
llama_tools="$(scripts/build-llama-tools.sh llama-server)"
cmake --preset asan -DDUET_LLAMA_SERVER="$llama_tools/llama-server"
cmake --build --preset asan
ctest --preset asan -j2 "$@"
