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
cmake --preset asan
cmake --build --preset asan
ctest --preset asan -j2 "$@"
