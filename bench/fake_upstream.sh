# Sourced by the gateway benchmarks: a trivially fast upstream (nginx
# answering one fixed, complete SSE answer per API from memory) and the duet
# configuration that points at it.
#
#   start_fake_upstream WORK      starts nginx (1 worker) with its files in
#                                 WORK; sets nginx_port and nginx_url
#   write_duet_config WORK FILE   duet.toml for that upstream: Claude models
#                                 and the OpenAI-compatible "bench-model"
#                                 answered by it; ledger in WORK/ledger.db
#                                 (server.io_threads from DUET_IO_THREADS,
#                                 ledger.enabled from DUET_LEDGER)
#   wait_for_duet WORK [TENTHS]   waits for the duet started with its stdout
#                                 in WORK/duet.out and stderr in WORK/duet.err
#                                 to listen; prints its URL, or its stderr
#                                 and fails after TENTHS tenths of a second
#   bench_body, long_bench_body   the clients' request bodies
# The caller stops nginx: kill "$(cat WORK/nginx.pid)".

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_fake_upstream() {  # work
  local work="$1"
  nginx_port="$(free_port)"
  nginx_url="http://127.0.0.1:$nginx_port"

  # The upstream answers: one short complete stream per API.
  local anthropic_sse openai_sse
  anthropic_sse='event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello from the benchmark upstream."}}\n\nevent: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":8}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'
  openai_sse='data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello from the benchmark upstream."},"finish_reason":null}]}\n\ndata: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[],"usage":{"prompt_tokens":25,"completion_tokens":8,"total_tokens":33}}\n\ndata: [DONE]\n\n'
  # nginx answers with `return`, from memory: no file is opened per request.
  # A quoted nginx string keeps its newlines; these bodies hold no quote,
  # backslash or '$' that nginx would read as an escape or a variable.
  local anthropic_body openai_body
  anthropic_body="$(printf '%b' "$anthropic_sse")"$'\n\n'
  openai_body="$(printf '%b' "$openai_sse")"$'\n\n'
  if [[ "$anthropic_body$openai_body" == *[\'\\\$]* ]]; then
    echo "fake_upstream.sh: a body holds a character nginx would interpret" >&2
    return 1
  fi

  cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    default_type text/event-stream;
    location = /v1/messages { return 200 '$anthropic_body'; }
    location = /v1/chat/completions { return 200 '$openai_body'; }
  }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx-error.log"
}

write_duet_config() {  # work file
  cat > "$2" <<CONF
[server]
io_threads = ${DUET_IO_THREADS:-0}
[log]
level = "warn"
[ledger]
enabled = ${DUET_LEDGER:-true}
path = "$1/ledger.db"
[anthropic]
base_url = "$nginx_url"
max_retries = 0
[upstreams.bench]
base_url = "$nginx_url"
models = ["bench-model"]
CONF
}

wait_for_duet() {  # work [tenths]
  local url="" _
  for _ in $(seq "${2:-100}"); do
    url="$(sed -n 's/^duet listening on //p' "$1/duet.out" 2>/dev/null)"
    [[ -n "$url" ]] && break
    sleep 0.1
  done
  [[ -n "$url" ]] || { cat "$1/duet.err" >&2; return 1; }
  echo "$url"
}

# The clients' request: MODEL is replaced by the model to ask.
bench_body='{"model":"MODEL","max_tokens":64,"messages":[{"role":"user","content":"Say hello to the benchmark, briefly and politely."}]}'

# A long conversation as Claude Code sends one after an hour's work: 200
# turns of about 2.5 KB of text and code each (~530 KB), then a question;
# MODEL as above.
long_bench_body() {
  python3 - <<'PY'
import json
messages = []
for turn in range(200):
    text = ""
    while len(text) < 2500:
        text += (f"Line {len(text)} of turn {turn}: \"quoted\" code "
                 "`total += item.price * item.count;` and prose.\n")
    messages.append({"role": "user" if turn % 2 == 0 else "assistant", "content": text})
messages.append({"role": "user", "content": "Summarise the conversation in three bullet points."})
print(json.dumps({"model": "MODEL", "max_tokens": 1024, "messages": messages},
                 separators=(",", ":")), end="")
PY
}

# A wrk script that POSTs `body` as both SDKs would.
write_wrk_script() {  # file body
  local escaped
  escaped="$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g')"
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.body = "$escaped"
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers["x-api-key"] = "client-key"
LUA
}
