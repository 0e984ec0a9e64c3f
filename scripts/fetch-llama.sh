#!/usr/bin/env bash
# Fetches the pinned llama.cpp source into duet's cache, outside the source
# tree, and prints the checkout's path on stdout.
#
#   scripts/fetch-llama.sh          # prints e.g. ~/.cache/duet/llama.cpp-de3ff815ea7d
#
# Debian has no llama.cpp package. The npm package node-llama-cpp ships the
# llama.cpp source it was released with as a git bundle; this script fetches
# that package with the ordinary npm client, checks the tarball against the
# integrity hash pinned below (the one the registry publishes for it),
# clones the bundle, and checks the commit. A second run finds the checkout
# and prints its path at once.
#
# Environment: DUET_CACHE_DIR (default $XDG_CACHE_HOME/duet, else
# ~/.cache/duet). To build against another llama.cpp checkout instead, skip
# this script and configure with -DDUET_LLAMA_SOURCE_DIR=/path/to/llama.cpp.
set -euo pipefail

readonly package="node-llama-cpp"
readonly version="3.22.1"
readonly integrity="sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw=="
readonly commit="de3ff815ea7d559ee917f063901b8986f038abc6"

cache="${DUET_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/duet}"
checkout="$cache/llama.cpp-${commit:0:12}"

if [[ -f "$checkout/.duet-fetched" ]]; then
  echo "$checkout"
  exit 0
fi

log() { echo "fetch-llama: $*" >&2; }
fail() { log "$*"; exit 1; }

mkdir -p "$cache"
work="$(mktemp -d "$cache/fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "fetching $package@$version with npm"
(cd "$work" && npm pack "$package@$version" --silent --loglevel=error >/dev/null) ||
  fail "npm pack $package@$version failed"
tarball="$work/$package-$version.tgz"
[[ -f "$tarball" ]] || fail "npm pack did not produce $tarball"

actual="$(node -e '
  const data = require("fs").readFileSync(process.argv[1]);
  process.stdout.write("sha512-" +
    require("crypto").createHash("sha512").update(data).digest("base64"));
' "$tarball")"
[[ "$actual" == "$integrity" ]] ||
  fail "integrity mismatch for $package@$version: expected $integrity, got $actual"

tar -xzf "$tarball" -C "$work" package/llama/gitRelease.bundle ||
  fail "$package@$version has no llama/gitRelease.bundle"
rm -rf "$checkout.partial"
git clone --quiet "$work/package/llama/gitRelease.bundle" "$checkout.partial" 2>/dev/null ||
  fail "cloning the llama.cpp bundle failed"
head="$(git -C "$checkout.partial" rev-parse HEAD)"
[[ "$head" == "$commit" ]] || fail "bundle holds commit $head, expected $commit"

touch "$checkout.partial/.duet-fetched"
rm -rf "$checkout"
mv "$checkout.partial" "$checkout"
log "llama.cpp ${commit:0:12} is in $checkout"
echo "$checkout"
