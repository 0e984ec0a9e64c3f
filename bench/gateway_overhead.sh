#!/usr/bin/env bash
# Gateway overhead: requests/s and latency of a trivially fast upstream
# (nginx answering a fixed stream from memory) called directly and through
# duet, side by side in one run, with wrk.
#
#   bench/gateway_overhead.sh [SECONDS] [CONNECTIONS]     (default 5, 16)
#   ROUNDS=5 bench/gateway_overhead.sh                    (runs per path, default 3)
#   DUET_IO_THREADS=1 bench/gateway_overhead.sh           (server.io_threads)
#   DUET_BINARY=path/to/duet bench/gateway_overhead.sh    (another build)
#   DUET_LEDGER=false bench/gateway_overhead.sh           (ledger.enabled; the
#                                                          ledger goes to a temp file)
#
# Paths measured (each duet path against the direct call of the same
# upstream endpoint):
#   anthropic   Anthropic client -> duet -> Claude API shape (nginx)
#   openai      OpenAI client -> duet -> OpenAI-compatible upstream (nginx)
#   a->o        Anthropic client -> duet -> OpenAI-compatible upstream
#   o->a        OpenAI client -> duet -> Claude API shape
#   proxy       Anthropic client -> nginx proxy_pass (keep-alive upstream)
#               -> nginx: what a proxy with no logic at all costs on this
#               machine, the floor for any gateway
#   anthropic1  the anthropic path again with 1 connection: what duet adds
#               to one request's latency when nothing queues
#   long1       the anthropic path with 1 connection and a coding agent's
#               late turn: a ~530 KB, 200-turn conversation
#               (fake_upstream.sh's long body) sent again and again
# Clients ask for non-streamed answers; duet always streams upstream, so
# nginx serves a complete SSE answer. Everything shares this machine's
# cores: wrk, duet and nginx (1 worker each for the upstream and the proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${ROUNDS:-3}"
connections="${2:-16}"

scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target duet >/dev/null
duet_bin="${DUET_BINARY:-build/release/duet}"

work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers run as nobody
cleanup() {
  [[ -n "${duet_pid:-}" ]] && kill "$duet_pid" 2>/dev/null || true
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [[ -f "$work/proxy/nginx.pid" ]] && kill "$(cat "$work/proxy/nginx.pid")" 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

source bench/fake_upstream.sh
start_fake_upstream "$work"

# The reference proxy: nginx in front of the same upstream, nothing else.
proxy_port="$(free_port)"
mkdir -p "$work/proxy"
cat > "$work/proxy/nginx.conf" <<CONF
worker_processes 1;
pid $work/proxy/nginx.pid;
error_log $work/proxy/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/proxy/body;
  proxy_temp_path $work/proxy/temp;
  keepalive_requests 1000000;
  upstream bench_upstream { server 127.0.0.1:$nginx_port; keepalive 32; }
  server {
    listen 127.0.0.1:$proxy_port;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
nginx -c "$work/proxy/nginx.conf" -p "$work/proxy" -e "$work/proxy/nginx-error.log"

write_duet_config "$work" "$work/duet.toml"
ANTHROPIC_API_KEY=bench-key "$duet_bin" serve --config "$work/duet.toml" --port 0 \
  > "$work/duet.out" 2> "$work/duet.err" &
duet_pid=$!
duet_url="$(wait_for_duet "$work")"

anthropic_body="$bench_body"
openai_body="$bench_body"

# Runs wrk; prints "requests/s p50_ms p99_ms non2xx".
measure() {  # url body [connections]
  write_wrk_script "$work/req.lua" "$2"
  wrk -t1 -c"${3:-$connections}" -d"${seconds}s" --latency -s "$work/req.lua" "$1" > "$work/wrk.out"
  if ! grep -q "Requests/sec" "$work/wrk.out"; then cat "$work/wrk.out" >&2; exit 1; fi
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    / requests in / { n = $1 }
    END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, bad + 0, n }' "$work/wrk.out"
}

# CPU time (user + system, in clock ticks) the processes `pids` have used.
cpu_ticks() {  # pid...
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# Check every path answers 200 once, then warm up.
check() {  # url body
  local status
  status="$(curl -s -o "$work/check.out" -w '%{http_code}' -H 'content-type: application/json' \
    -H 'anthropic-version: 2023-06-01' -d "$2" "$1")"
  if [[ "$status" != 200 ]]; then
    echo "$1 answered $status: $(cat "$work/check.out")" >&2
    exit 1
  fi
}
check "$nginx_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}"
check "$nginx_url/v1/chat/completions" "${openai_body/MODEL/bench-model}"
check "$duet_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}"
check "$duet_url/v1/chat/completions" "${openai_body/MODEL/bench-model}"
check "$duet_url/v1/messages" "${anthropic_body/MODEL/bench-model}"
check "$duet_url/v1/chat/completions" "${openai_body/MODEL/claude-haiku-4-5}"
measure "$duet_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" > /dev/null

printf '\nGateway overhead, %s s per run, medians of %s rounds, %s connections, wrk 1 thread (all on %s cores)\n\n' \
  "$seconds" "$rounds" "$connections" "$(nproc)"
printf '%-10s %10s %10s %9s %9s %9s %9s %9s %10s %8s\n' path direct_rps via_rps ratio \
  direct_p50 via_p50 added_p50 added_p99 via_cpu_us errors
# via_cpu_us: CPU time the gateway in the middle (duet, or the proxy's nginx
# worker) spent per request, user + system: less noisy than requests/s on a
# shared machine.
children_of() {  # pid: its child processes' pids (from /proc: no procps needed)
  local stat
  for stat in /proc/[0-9]*/stat; do
    # After the ") " that ends the command name: state, then the parent's pid.
    if [[ "$(sed 's/.*) //' "$stat" 2>/dev/null | cut -d' ' -f2)" == "$1" ]]; then
      basename "$(dirname "$stat")"
    fi
  done | tr '\n' ' '
}
proxy_workers="$(children_of "$(cat "$work/proxy/nginx.pid")")"
# Each path is measured `rounds` times, the direct call and the call
# through duet taking turns, and the table gives medians (the ratio and the
# added latencies are medians of the per-round figures): this VM's speed
# moves by a quarter from minute to minute, and a run moves both sides.
run() {  # name direct_url direct_body via_url via_body via_pids [connections]
  local round rows=""
  for ((round = 0; round < rounds; round++)); do
    read -r d_rps d_p50 d_p99 d_bad _ < <(measure "$2" "$3" "${7:-}")
    # shellcheck disable=SC2086  # $6 is a list of pids
    local before; before="$(cpu_ticks $6)"
    read -r g_rps g_p50 g_p99 g_bad g_n < <(measure "$4" "$5" "${7:-}")
    # shellcheck disable=SC2086
    local used=$(( $(cpu_ticks $6) - before ))
    rows+="$d_rps $g_rps $d_p50 $g_p50 $d_p99 $g_p99 $((d_bad + g_bad)) $used $g_n"$'\n'
  done
  printf '%s' "$rows" | awk -v n="$1" -v hz="$(getconf CLK_TCK)" '
    function median(values, count,   i, j, t) {  # sorts values[1..count]
      for (i = 2; i <= count; i++) {
        t = values[i]
        for (j = i - 1; j >= 1 && values[j] > t; j--) values[j + 1] = values[j]
        values[j + 1] = t
      }
      return count % 2 ? values[(count + 1) / 2] : (values[count / 2] + values[count / 2 + 1]) / 2
    }
    {
      k++
      drps[k] = $1; grps[k] = $2; ratio[k] = $2 / $1
      dp50[k] = $3; gp50[k] = $4; added50[k] = $4 - $3; added99[k] = $6 - $5
      bad += $7; cpu[k] = ($9 > 0 ? $8 * 1e6 / hz / $9 : 0)
    }
    END {
      printf "%-10s %10d %10d %9.3f %8.3fms %8.3fms %8.3fms %8.3fms %10.1f %8d\n",
        n, median(drps, k), median(grps, k), median(ratio, k), median(dp50, k),
        median(gp50, k), median(added50, k), median(added99, k), median(cpu, k), bad
    }'
}
run anthropic "$nginx_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" \
              "$duet_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" "$duet_pid"
run openai "$nginx_url/v1/chat/completions" "${openai_body/MODEL/bench-model}" \
           "$duet_url/v1/chat/completions" "${openai_body/MODEL/bench-model}" "$duet_pid"
run 'a->o' "$nginx_url/v1/chat/completions" "${openai_body/MODEL/bench-model}" \
           "$duet_url/v1/messages" "${anthropic_body/MODEL/bench-model}" "$duet_pid"
run 'o->a' "$nginx_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" \
           "$duet_url/v1/chat/completions" "${openai_body/MODEL/claude-haiku-4-5}" "$duet_pid"
run proxy "$nginx_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" \
          "http://127.0.0.1:$proxy_port/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" \
          "$proxy_workers"
# The same Anthropic path with one connection: the latency duet adds to a
# request when the machine is not saturated (at 16 connections wrk, nginx
# and duet queue for the 2 cores, and waiting dominates).
run 'anthropic1' "$nginx_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" \
                 "$duet_url/v1/messages" "${anthropic_body/MODEL/claude-haiku-4-5}" "$duet_pid" 1
# A long conversation: duet parses it, scans it for sensitive data (turns it
# has seen clean before are only hashed), and writes it upstream again.
long_body="$(long_bench_body | sed 's/"MODEL"/"claude-haiku-4-5"/')"
run 'long1' "$nginx_url/v1/messages" "$long_body" "$duet_url/v1/messages" "$long_body" \
            "$duet_pid" 1
echo
echo "via: through duet; for the proxy row, through nginx proxy_pass (no logic at all);"
echo "anthropic1: the anthropic path at 1 connection (unloaded latency);"
echo "long1: the same with a ~530 KB, 200-turn conversation"
echo "targets: >= 25000 requests/s through duet; added p50 <= 0.2 ms, p99 <= 1 ms"
