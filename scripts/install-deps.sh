#!/usr/bin/env bash
# Installs everything duet needs to build and test on Debian 12, from Debian's
# packages and the npm registry only. Idempotent: packages already present are
# skipped, so a second run costs a few seconds and changes nothing.
#
#   scripts/install-deps.sh          # build + test dependencies
#
# Runs apt-get as root directly, or through sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  ccache                     # caches compiled objects (llama.cpp) outside the tree
  libboost1.81-dev           # Boost.Beast / Asio: async HTTP server and client
  nlohmann-json3-dev         # JSON parsing at the protocol edges
  libsimdjson-dev            # fast parsing of upstream stream events (src/wire)
  libmimalloc-dev            # the release binary's malloc (DUET_ALLOCATOR)
  libspdlog-dev libfmt-dev   # logging and formatting
  libcli11-dev               # command line
  libtomlplusplus-dev        # TOML configuration
  libexpected-dev            # tl::expected behind duet::Result<T>
  libgtest-dev libgmock-dev  # unit and integration tests
  libbenchmark-dev           # bench/
  libsqlite3-dev sqlite3     # the cost ledger (and its CLI, used by tests)
  libre2-dev                 # RE2: users' sensitive-data patterns (route/sensitive)
  libwebp-dev                # WebP images for local vision models (mtmd reads the rest)
  libssl-dev                 # TLS for upstream HTTPS (Beast + OpenSSL)
  openssl                    # test certificates for the TLS client tests
  nginx-light                # a real upstream for TLS tests and the gateway benchmark
  wrk                        # HTTP load generator for bench/
  valgrind                   # instruction counts for bench/gateway_instructions.sh
  nodejs npm                 # official SDK client tests (tests/clients)
  python3                    # bench/local_engine.py (standard library only)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# node/npm may come from outside Debian (e.g. a preinstalled Node 20); accept them.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do
    [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
  done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages with services (nginx) must not start them: duet's tests and
  # benchmarks run their own instances on free ports.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi
