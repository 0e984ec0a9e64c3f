#!/usr/bin/env bash
# Gateway cost in instructions: how many CPU instructions duet executes per
# proxied request (user space, every thread, the ledger writer's included),
# counted by valgrind's callgrind. Unlike requests/s or CPU time, the count
# does not move when other work shares the machine, so two builds compare
# exactly, one after the other (kernel time, i.e. the sockets, is not in it:
# bench/gateway_overhead.sh measures the whole).
#
#   bench/gateway_instructions.sh [DUET_BINARY...]   (default: the release build)
#   REQUESTS=2000 bench/gateway_instructions.sh      (requests counted per path)
#   BODY=long bench/gateway_instructions.sh          (each request a ~530 KB,
#     200-turn conversation instead of one short question; try REQUESTS=100)
#   PROFILE_DIR=DIR bench/gateway_instructions.sh    (also keeps each run's
#     profiles as DIR/<path>-<n>.callgrind.out*, n counting binaries from 1,
#     for callgrind_annotate --inclusive=yes or kcachegrind)
#
# For each binary and path (anthropic: Anthropic client -> Claude API shape;
# openai: OpenAI client -> OpenAI-compatible upstream) it starts duet under
# callgrind with counting off, sends 300 warm-up requests (30 long ones),
# then counts REQUESTS more, one after another on one kept-alive connection
# (curl). The upstream is nginx answering a fixed stream
# (bench/fake_upstream.sh). Later binaries get a ratio
# against the first. Runs take minutes: callgrind runs duet ~50x slower.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${REQUESTS:-2000}"
body_kind="${BODY:-short}"
warmup=300
[[ "$body_kind" == long ]] && warmup=30

scripts/install-deps.sh >/dev/null
binaries=("$@")
if ((${#binaries[@]} == 0)); then
  cmake --preset release >/dev/null
  cmake --build --preset release --target duet >/dev/null
  binaries=(build/release/duet)
fi

work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers run as nobody
cleanup() {
  [[ -n "${duet_pid:-}" ]] && kill "$duet_pid" 2>/dev/null || true
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source bench/fake_upstream.sh
start_fake_upstream "$work"

# POSTs body.json `n` times, one after another on one kept-alive
# connection (one curl, a config entry per request); prints each status.
send() {  # url n
  local i
  for ((i = 0; i < $2; i++)); do
    ((i == 0)) || printf 'next\n'
    printf 'url = "%s"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
      "$1" "$work/body.json"
    printf 'header = "content-type: application/json"\nheader = "anthropic-version: 2023-06-01"\n'
    printf 'header = "x-api-key: client-key"\n'
  done > "$work/curl.conf"
  curl -s -K "$work/curl.conf"
}

# Prints instructions per request of `binary` answering `path` for `model`;
# `name` names its kept profile.
count() {  # binary path model name
  rm -f "$work"/ledger.db* "$work"/callgrind.out* "$work/duet.out"
  write_duet_config "$work" "$work/duet.toml"
  ANTHROPIC_API_KEY=bench-key valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$work/callgrind.out" \
    "$1" serve --config "$work/duet.toml" --port 0 \
    > "$work/duet.out" 2> "$work/duet.err" &
  duet_pid=$!
  local url
  url="$(wait_for_duet "$work" 600)$2"  # valgrind starts slowly
  case "$body_kind" in
    short) printf '%s' "${bench_body/MODEL/$3}" > "$work/body.json" ;;
    long) long_bench_body | sed "s/\"MODEL\"/\"$3\"/" > "$work/body.json" ;;
    *) echo "BODY must be short or long, not $body_kind" >&2; exit 2 ;;
  esac
  send "$url" "$warmup" > "$work/warm.codes"
  sleep 1.5  # the ledger writes the warm-up rows before counting starts
  callgrind_control -i on "$duet_pid" > /dev/null 2>&1
  send "$url" "$requests" > "$work/count.codes"
  sleep 1.5  # and the counted rows before it stops
  callgrind_control -i off "$duet_pid" > /dev/null 2>&1
  callgrind_control -d "$duet_pid" > /dev/null 2>&1
  kill "$duet_pid"
  wait "$duet_pid" 2>/dev/null || true
  duet_pid=""
  local answered
  answered="$(grep -c '^200$' "$work/count.codes" || true)"
  if [[ "$answered" != "$requests" ]]; then
    echo "$1: only $answered of $requests requests answered 200" >&2
    exit 1
  fi
  local instructions
  instructions="$(cat "$work"/callgrind.out* | awk '/^(summary|totals):/{n += $2} END {printf "%.0f", n}')"
  if [[ -n "${PROFILE_DIR:-}" ]]; then
    mkdir -p "$PROFILE_DIR"
    local profile
    for profile in "$work"/callgrind.out*; do
      cp "$profile" "$PROFILE_DIR/$4.${profile##*/}"
    done
  fi
  echo $((instructions / answered))
}

printf '\nInstructions per request (callgrind, %s %s requests per path, 1 connection)\n\n' \
  "$requests" "$body_kind"
printf '%-10s %12s %7s  %s\n' path instructions ratio binary
for path in anthropic openai; do
  case "$path" in
    anthropic) endpoint=/v1/messages model=claude-haiku-4-5 ;;
    openai) endpoint=/v1/chat/completions model=bench-model ;;
  esac
  first="" number=0
  for binary in "${binaries[@]}"; do
    number=$((number + 1))
    n="$(count "$binary" "$endpoint" "$model" "$path-$number")"
    [[ -n "$first" ]] || first="$n"
    awk -v p="$path" -v n="$n" -v f="$first" -v b="$binary" \
      'BEGIN { printf "%-10s %12d %7.3f  %s\n", p, n, n / f, b }'
  done
done
