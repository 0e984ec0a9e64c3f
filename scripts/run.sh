#!/usr/bin/env bash
# Installs dependencies, builds the release binary, and runs `duet serve`.
# Extra arguments go to `duet serve` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target duet
exec build/release/duet serve "$@"
