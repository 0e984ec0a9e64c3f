#!/usr/bin/env python3
"""Local engine benchmark: duet's embedded llama.cpp engine against
llama.cpp's own llama-bench and llama-server, built from the same pinned
source, on the same model with the same thread count, in one run.

bench/local_engine.sh builds everything and runs this with:
  --model PATH --duet PATH --llama-bench PATH --llama-server PATH --threads N
  --repeat N --flash-attention on|off (all three programs alike; default off,
  what duet's local.flash_attention=auto picks on a CPU: on is faster at this
  benchmark's depth of zero and far slower deep into a conversation)
It needs nothing but Python 3's standard library, so the binaries can be
measured on a machine that has no build tools.

Measures:
  prefill       prompt tokens/s for a 512-token prompt: llama-bench pp512 vs
                duet (prompt tokens / time to first token, over HTTP), each
                measured right after a warm-up prefill of the same size
  engine clock  the servers' own prefill timing of the same requests (duet's
                per-answer log line, llama-server's `timings`): a gap to
                llama-bench there is in the computation, not in HTTP
  decode        tokens/s for one stream of 128 tokens: llama-bench tg128 vs
                duet (first to last token of a streamed answer)
  4 streams     aggregate tokens/s of 4 concurrent 128-token answers:
                llama-server (-np 4) vs duet (local.slots=4), both over their
                OpenAI-compatible streaming endpoint
  TTFT overhead duet's time to first token at the client (from sending the
                request on an open connection to the moment the first
                token's bytes arrive, before the client parses them)
                minus its engine's
                own prefill time for that request (the issue's "overhead over
                the engine's own prefill"), with the part its chat template
                and tokeniser took; and, as a second line, minus the time
                llama-bench's pp512 rate implies for the same prompt. The
                prompts are common English words in orders of their own: new
                messages made of words duet has met, as a running server's
                new questions mostly are

The three programs take turns: each of --repeat rounds measures all of them
once, in an order that rotates from round to round, and the table gives
medians. A machine whose speed drifts (turbo, a noisy neighbour) then moves
both sides of a ratio together; the ratio column is the median of the
per-round ratios.
"""
import argparse
import bisect
import http.client
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

PROMPT_TOKENS = 512
GEN_TOKENS = 128


def log(message):
    print(f'local_engine: {message}', file=sys.stderr, flush=True)


class Server:
    """A server process whose output is collected; ready once `ready` matches."""

    def __init__(self, argv, ready):
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, errors='replace')
        self.lines = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        with self.changed:
            while True:
                match = next((m for m in map(ready, self.lines) if m), None)
                if match:
                    self.match = match
                    return
                if self.process.poll() is not None:
                    raise RuntimeError(f'{argv[0]} exited ({self.process.returncode}):\n' +
                                       ''.join(self.lines[-40:]))
                self.changed.wait(0.1)

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for_lines(self, pattern, count, timeout=5.0):
        """The first `count` output lines matching `pattern`, waiting for them."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [line for line in self.lines if re.search(pattern, line)]
                if len(found) >= count or time.monotonic() > deadline:
                    return found[:count]
                self.changed.wait(0.01)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def post_json(port, path, body):
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=600)
    connection.request('POST', path, json.dumps(body), {'content-type': 'application/json'})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f'{path}: {response.status} {data[:500]!r}')
    return json.loads(data)


def read_stream_lines(sock):
    """Reads an HTTP/1.1 response from `sock` until the server closes it
    (the request asks it to): returns (status, lines), the body's lines
    (chunked transfer encoding decoded), each with the moment its last byte
    arrived, taken as recv() returned it, before any parsing: the client's
    own parsing is not the server's time."""
    raw = bytearray()
    arrivals = []  # (bytes of `raw` received so far, when)
    while chunk := sock.recv(65536):
        raw += chunk
        arrivals.append((len(raw), time.perf_counter()))
    head_end = raw.find(b'\r\n\r\n')
    if head_end < 0:
        raise RuntimeError('connection closed before the response head')
    head_lines = raw[:head_end].decode('latin-1').split('\r\n')
    status = int(head_lines[0].split()[1])
    chunked = any(line.lower().replace(' ', '') == 'transfer-encoding:chunked'
                  for line in head_lines[1:])
    # The body as (offset in `raw`, bytes) pieces.
    pieces = []
    at = head_end + 4
    if chunked:
        while (size_end := raw.find(b'\r\n', at)) >= 0:
            size = int(raw[at:size_end].split(b';')[0], 16)
            if size == 0:
                break
            pieces.append((size_end + 2, raw[size_end + 2:size_end + 2 + size]))
            at = size_end + 2 + size + 2
    else:
        pieces.append((at, raw[at:]))
    lines = []
    line = bytearray()
    for offset, piece in pieces:
        start = 0
        while (newline := piece.find(b'\n', start)) >= 0:
            line += piece[start:newline]
            received = bisect.bisect_right(arrivals, (offset + newline, float('inf')))
            lines.append((bytes(line), arrivals[received][1]))
            line.clear()
            start = newline + 1
        line += piece[start:]
    if line:
        lines.append((bytes(line), arrivals[-1][1]))
    return status, lines


def stream_completion(port, body):
    """Streams one chat completion; returns its timings (ms), usage and the
    server's own `timings` object when it sends one (llama-server). The
    clock starts as the request is sent on an open connection, as clients
    that keep theirs alive (the SDKs) send it: neither the TCP handshake nor
    this client's own JSON encoding counts as the server's time. Tokens are
    timed when their bytes arrive (read_stream_lines)."""
    body = dict(body, stream=True, stream_options={'include_usage': True})
    data = json.dumps(body).encode()
    request = (f'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n'
               f'Content-Type: application/json\r\nContent-Length: {len(data)}\r\n'
               f'Connection: close\r\n\r\n').encode() + data
    with socket.create_connection(('127.0.0.1', port), timeout=600) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter()
        sock.sendall(request)
        status, lines = read_stream_lines(sock)
    if status != 200:
        raise RuntimeError(f'{status}: {b"".join(line for line, _ in lines)[:500]!r}')
    first = last = finished = None
    usage = timings = None
    for raw, arrived in lines:
        line = raw.strip()
        if not line.startswith(b'data: ') or line == b'data: [DONE]':
            continue
        chunk = json.loads(line[6:])
        choices = chunk.get('choices') or []
        if choices and (choices[0].get('delta') or {}).get('content'):
            first = first if first is not None else arrived
            last = arrived
        if choices and choices[0].get('finish_reason') and finished is None:
            finished = arrived
        usage = chunk.get('usage') or usage
        timings = chunk.get('timings') or timings  # llama-server's own clock
    if first is None:
        # A one-token answer whose token is part of a character (random
        # weights): both servers hold it back and end the answer.
        first = last = finished
    return {'start': start, 'ttft': (first - start) * 1000, 'decode_ms': (last - first) * 1000,
            'usage': usage, 'timings': timings}


# Common English words: a prompt is made of them in an order of its own, so
# that no two prompts share a message (no message cache helps) while their
# words are ones a running server has met before, as a new question's
# mostly are (duet keeps the tokens of words it has seen: word_cache.h).
COMMON_WORDS = (
    'the of and to in is you that it he was for on are as with his they at be this have '
    'from or one had by word but not what all were we when your can said there use an each '
    'which she do how their if will up other about out many then them these so some her '
    'would make like him into time has look two more write go see number no way could '
    'people my than first water been call who oil its now find long down day did get come '
    'made may part').split()


def prompt_text(salt, words):
    rng = random.Random(salt)
    return f'{salt} ' + ' '.join(rng.choice(COMMON_WORDS) for _ in range(words))


def words_for(port, tokens):
    """How many words make a prompt of about `tokens` tokens, counted by duet
    on a prompt of its own: the measured prompts (other salts, the same
    words in other orders) must reach duet's tokeniser as new messages, not
    from its message cache."""
    words = tokens
    for _ in range(4):
        counted = post_json(port, '/v1/messages/count_tokens', {
            'model': 'bench',
            'messages': [{'role': 'user', 'content': prompt_text('sizing:', words)}]})['input_tokens']
        if abs(counted - tokens) <= 2:
            return words
        words = max(1, round(words * tokens / counted))
    raise RuntimeError('could not size the prompt')


def llama_bench_once(args):
    """One llama-bench run of pp512 and tg128 (its own warm-up included)."""
    out = subprocess.run(
        [args.llama_bench, '-m', args.model, '-p', str(PROMPT_TOKENS), '-n', str(GEN_TOKENS),
         '-t', str(args.threads), '-fa', args.flash_attention, '-r', '1', '-o', 'json'],
        check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    pp = next(r for r in rows if r['n_prompt'] == PROMPT_TOKENS and r['n_gen'] == 0)
    tg = next(r for r in rows if r['n_prompt'] == 0 and r['n_gen'] == GEN_TOKENS)
    return {'prefill': pp['avg_ts'], 'decode': tg['avg_ts']}


def four_streams(port, round_name, extra):
    """Aggregate decode tokens/s of 4 concurrent streams, from the first
    stream's first token to the last stream's last token."""
    runs = [None] * 4

    def one(i):
        runs[i] = stream_completion(port, dict(
            model='bench', max_tokens=GEN_TOKENS, temperature=0, **extra,
            messages=[{'role': 'user', 'content': f'Stream {i} of round {round_name}, go.'}]))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    begin = min(run['start'] * 1000 + run['ttft'] for run in runs)
    end = max(run['start'] * 1000 + run['ttft'] + run['decode_ms'] for run in runs)
    tokens = sum(run['usage']['completion_tokens'] - 1 for run in runs)
    return {'rate': tokens / ((end - begin) / 1000), 'tokens': tokens}


def server_once(port, prompts, round_name, extra, engine_clock):
    """One round against a server: prefill of a fresh prompt, one decode
    stream, four decode streams. The measured prefill comes right after a
    warm-up prefill of another fresh prompt, as llama-bench runs a warm-up
    pp512 before the one it reports: compute threads that went to sleep while
    another program ran, and cores that slowed down meanwhile, cost the
    warm-up, on both sides. `engine_clock(answer)` gives the server's own
    prefill time of the measured answer."""
    warm_prompt, prompt = prompts
    stream_completion(port, dict(model='bench', max_tokens=1, temperature=0, **extra,
                                 messages=[{'role': 'user', 'content': warm_prompt}]))
    first = stream_completion(port, dict(model='bench', max_tokens=1, temperature=0, **extra,
                                         messages=[{'role': 'user', 'content': prompt}]))
    usage = first['usage']
    prompt_count = usage['prompt_tokens'] - ((usage.get('prompt_tokens_details') or {})
                                             .get('cached_tokens') or 0)
    clock = engine_clock(first)
    decode_run = stream_completion(port, dict(
        model='bench', max_tokens=GEN_TOKENS, temperature=0, **extra,
        messages=[{'role': 'user', 'content': f'Decode round {round_name}.'}]))
    generated = decode_run['usage']['completion_tokens']
    streams = four_streams(port, round_name, extra)
    return {
        'prefill': prompt_count / (first['ttft'] / 1000), 'ttft': first['ttft'],
        'prompt_count': prompt_count,
        'engine_prefill': prompt_count / (clock['prefill'] / 1000),
        'engine_prefill_ms': clock['prefill'], 'prepared': clock.get('prepared', float('nan')),
        'template': clock.get('template', float('nan')),
        'decode': (generated - 1) / (decode_run['decode_ms'] / 1000), 'generated': generated,
        'streams': streams['rate'], 'stream_tokens': streams['tokens'],
    }


class DuetClock:
    """duet's own prefill time, its template and tokeniser's time and the
    template's share of that (ms) of the measured answers, from the line its
    engine logs when an answer ends (AnswerTiming). The line is written
    before the answer's end is sent, but its pipe may be read after the
    stream. Each round's measured prefill is its second answer; the decode
    stream and four streams follow it."""

    ANSWERS_PER_ROUND = 7

    def __init__(self, server):
        self.server = server
        self.rounds = 0

    def __call__(self, _answer):
        self.rounds += 1
        wanted = (self.rounds - 1) * self.ANSWERS_PER_ROUND + 2
        lines = self.server.wait_for_lines(r' model bench: .* prompt \d+ tokens', wanted)
        if len(lines) < wanted:
            raise RuntimeError('duet logged no timing for the answer')
        line = lines[wanted - 1]
        return {'prefill': float(re.search(r'prompt \d+ tokens \(\d+ cached\) in ([\d.]+) ms',
                                           line).group(1)),
                'prepared': float(re.search(r'prepared in ([\d.]+) ms', line).group(1)),
                'template': float(re.search(r'\(template ([\d.]+) ms\)', line).group(1))}


def start_duet(args):
    server = Server([args.duet, 'serve', '--port', '0', '--log-level', 'info',
                     '--model', f'bench={args.model}',
                     '--set', f'local.threads={args.threads}', '--set', 'local.slots=4',
                     '--set', f'local.flash_attention={args.flash_attention}',
                     '--set', 'local.context=2048', '--set', f'local.batch_size={PROMPT_TOKENS}',
                     '--set', 'ledger.enabled=false'],
                    lambda line: re.search(r'listening on http://[^\s:]+:(\d+)', line))
    server.port = int(server.match.group(1))
    return server


def start_llama_server(args):
    server = Server([args.llama_server, '-m', args.model, '--port', '0', '--host', '127.0.0.1',
                     '-t', str(args.threads), '-fa', args.flash_attention,
                     '-np', '4', '-c', str(4 * 2048), '--no-webui'],
                    lambda line: re.search(r'listening on http://[^\s:]+:(\d+)', line))
    server.port = int(server.match.group(1))
    for _ in range(100):  # wait for the model to load
        try:
            connection = http.client.HTTPConnection('127.0.0.1', server.port, timeout=5)
            connection.request('GET', '/health')
            if connection.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    return server


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', required=True)
    parser.add_argument('--duet', required=True)
    parser.add_argument('--llama-bench', required=True)
    parser.add_argument('--llama-server', required=True)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--flash-attention', default='off', choices=['on', 'off'])
    args = parser.parse_args()

    log(f'model {args.model}, {args.threads} threads, flash attention {args.flash_attention}, '
        f'{args.repeat} rounds')
    duet = start_duet(args)
    server = start_llama_server(args)
    results = {'bench': [], 'duet': [], 'server': []}
    try:
        # Fresh prompts of about PROMPT_TOKENS tokens each, unique so no
        # message cache helps (their words are common ones, see COMMON_WORDS):
        # two per round (a warm-up and the measured one) and two for the
        # warm-up round.
        words = words_for(duet.port, PROMPT_TOKENS)
        prompts = [prompt_text(f'prompt {i}:', words) for i in range(2 * (args.repeat + 1))]

        def pair(r):
            return prompts[2 * r + 2], prompts[2 * r + 3]

        duet_clock = DuetClock(duet)

        def server_clock(answer):
            return {'prefill': answer['timings']['prompt_ms']}

        server_once(duet.port, pair(-1), 'warm-up', {}, duet_clock)
        server_once(server.port, pair(-1), 'warm-up', {'ignore_eos': True}, server_clock)

        measure = {
            'bench': lambda r: llama_bench_once(args),
            'duet': lambda r: server_once(duet.port, pair(r), r, {}, duet_clock),
            'server': lambda r: server_once(server.port, pair(r), r, {'ignore_eos': True},
                                            server_clock),
        }
        order = ['bench', 'duet', 'server']
        for r in range(args.repeat):
            for k in range(len(order)):
                name = order[(r + k) % len(order)]
                results[name].append(measure[name](r))
            b, d, s = results['bench'][r], results['duet'][r], results['server'][r]
            log(f"round {r + 1}: prefill bench {b['prefill']:.0f} duet {d['prefill']:.0f} "
                f"(engine {d['engine_prefill']:.0f}) server {s['prefill']:.0f} "
                f"(engine {s['engine_prefill']:.0f}); decode bench {b['decode']:.1f} "
                f"duet {d['decode']:.1f} server {s['decode']:.1f}; "
                f"4 streams duet {d['streams']:.1f} server {s['streams']:.1f}")
    finally:
        duet.stop()
        server.stop()

    def of(name, key):
        return [row[key] for row in results[name]]

    rows = [
        ('prefill t/s (pp512)', 'llama-bench', of('bench', 'prefill'), of('duet', 'prefill'), 0.97),
        ('prefill t/s (pp512)', 'llama-server', of('server', 'prefill'), of('duet', 'prefill'),
         0.97),
        ('prefill, engine clock', 'llama-bench', of('bench', 'prefill'),
         of('duet', 'engine_prefill'), 0.97),
        ("(llama-server's)", 'llama-bench', of('bench', 'prefill'),
         of('server', 'engine_prefill'), 0.97),
        ('decode t/s (tg128)', 'llama-bench', of('bench', 'decode'), of('duet', 'decode'), 0.97),
        ('decode t/s (tg128)', 'llama-server', of('server', 'decode'), of('duet', 'decode'), 0.97),
        ('4-stream decode t/s', 'llama-server', of('server', 'streams'), of('duet', 'streams'),
         1.0),
    ]
    print(f'\n{args.repeat} rounds, {args.threads} threads, flash attention '
          f'{args.flash_attention}; medians, ratio = median of per-round ratios (min-max)')
    print(f"{'measure':<22}{'reference':<14}{'llama.cpp':>10}{'duet':>10}{'ratio':>8}"
          f"{'range':>14}{'target':>9}")
    for name, tool, reference, ours, target in rows:
        per_round = [o / t for o, t in zip(ours, reference)]
        ratio = median(per_round)
        spread = f'{min(per_round):.2f}-{max(per_round):.2f}'
        below = '' if ratio >= target else '  (below)'
        print(f"{name:<22}{tool:<14}{median(reference):>10.1f}{median(ours):>10.1f}"
              f"{ratio:>8.3f}{spread:>14}{'>= ' + str(target):>9}{below}")

    def over_own(name):
        return median([row['ttft'] - row['engine_prefill_ms'] for row in results[name]])

    duet_ttft = median(of('duet', 'ttft'))
    prompt_count = results['duet'][0]['prompt_count']
    implied = median([row['prompt_count'] / bench['prefill'] * 1000
                      for row, bench in zip(results['duet'], results['bench'])])
    print(f"TTFT overhead over the engine's own prefill (client TTFT minus the engine's prefill "
          f"time, per-round median): duet {over_own('duet'):.2f} ms (target <= 1 ms), of which "
          f"its chat template and tokeniser {median(of('duet', 'prepared')):.2f} ms (the "
          f"template {median(of('duet', 'template')):.2f} ms); "
          f"llama-server {over_own('server'):.2f} ms")
    print(f'TTFT against llama-bench: duet {duet_ttft:.2f} ms to first token for {prompt_count} '
          f'prompt tokens; llama-bench prefill alone {implied:.2f} ms; difference '
          f'{duet_ttft - implied:.2f} ms')
    print(f"TTFT, same prompts over HTTP: duet {duet_ttft:.2f} ms, llama-server "
          f"{median(of('server', 'ttft')):.2f} ms")
    print(f"(llama-server -np 4 -c 8192, ignore_eos; prompt tokens: duet {prompt_count}, "
          f"llama-server {results['server'][0]['prompt_count']}; tokens per single stream: "
          f"duet {results['duet'][0]['generated']}, llama-server "
          f"{results['server'][0]['generated']}; across 4 streams: duet "
          f"{results['duet'][0]['stream_tokens']}, llama-server "
          f"{results['server'][0]['stream_tokens']})")


if __name__ == '__main__':
    main()
