// Local engine benchmark: duet's embedded llama.cpp engine against
// llama.cpp's own llama-bench and llama-server, built from the same pinned
// source, on the same model with the same thread count, in one run.
//
// Run it through bench/local_engine.sh, which builds everything and passes:
//   --model PATH --duet PATH --llama-bench PATH --llama-server PATH --threads N
//   --flash-attention on|off (all three programs alike; default off, what
//   duet's local.flash_attention=auto picks on a CPU: on is faster at this
//   benchmark's depth of zero and far slower deep into a conversation)
//
// Measures:
//   prefill   prompt tokens/s for a 512-token prompt: llama-bench pp512 vs
//             duet (prompt tokens / time to first token, over HTTP), each
//             measured right after a warm-up prefill of the same size
//   decode    tokens/s for one stream of 128 tokens: llama-bench tg128 vs
//             duet (first to last token of a streamed answer)
//   4 streams aggregate tokens/s of 4 concurrent 128-token answers:
//             llama-server (-np 4) vs duet (local.slots=4), both over their
//             OpenAI-compatible streaming endpoint
//   engine clock  the servers' own prefill timing of the same requests
//             (duet's per-answer log line, llama-server's `timings`), so a
//             gap to llama-bench shows whether it is in the computation or
//             in what HTTP adds
//   TTFT overhead  duet's time to first token at the client minus its
//             engine's own prefill time for that request (the issue's
//             "overhead over the engine's own prefill"), and also minus the
//             time llama-bench's pp512 rate implies for the same prompt
//
// The three programs take turns: each of --repeat rounds measures all of
// them once, in an order that rotates from round to round, and the table
// gives medians. A machine whose speed drifts (turbo, a noisy neighbour)
// then moves both sides of a ratio together; the ratio column is the median
// of the per-round ratios.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) =>
    (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ''), all[i + 1]]] : pairs), []));
const threads = Number(args.threads ?? 2);
const flashAttention = args['flash-attention'] ?? 'off';
const repeat = Number(args.repeat ?? 5);
const promptTokens = 512;
const genTokens = 128;

function log(message) {
  process.stderr.write(`local_engine: ${message}\n`);
}

// Starts a server process and resolves once `ready(line)` matches its output.
async function startProcess(bin, argv, ready) {
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.output = () => output;
  const found = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = ready(output);
      if (match) resolve(match);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => reject(new Error(`${bin} exited (${code}):\n${output.slice(-2000)}`)));
  });
  const match = await found;
  return { child, match };
}

async function stop(child) {
  child.kill('SIGTERM');
  await once(child, 'exit');
}

// Streams one chat completion; returns timings and the token count.
async function streamCompletion(baseUrl, body) {
  const start = performance.now();
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
  });
  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
  let first = null;
  let last = null;
  let usage = null;
  let timings = null;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('');
      if (!data || data === '[DONE]') continue;
      const chunk = JSON.parse(data);
      const now = performance.now();
      if (chunk.choices?.[0]?.delta?.content) {
        first ??= now;
        last = now;
      }
      if (chunk.usage) usage = chunk.usage;
      if (chunk.timings) timings = chunk.timings;  // llama-server's own clock
    }
  }
  return { ttft: first - start, decodeTime: last - first, usage, timings };
}

// A prompt of about `tokens` tokens, unique per `salt` so no cache helps.
async function promptOf(baseUrl, tokens, salt) {
  let words = tokens;
  for (let i = 0; i < 4; ++i) {
    const text = `${salt} ` + 'lorem ipsum dolor sit amet '.repeat(Math.ceil(words / 5)).split(' ').slice(0, words).join(' ');
    const response = await fetch(`${baseUrl}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: text }] }),
    });
    const counted = (await response.json()).input_tokens;
    if (Math.abs(counted - tokens) <= 2) return text;
    words = Math.max(1, Math.round(words * tokens / counted));
  }
  throw new Error('could not size the prompt');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// One llama-bench run of pp512 and tg128 (its own warm-up included).
function llamaBenchOnce() {
  const out = execFileSync(args['llama-bench'], [
    '-m', args.model, '-p', String(promptTokens), '-n', String(genTokens),
    '-t', String(threads), '-fa', flashAttention, '-r', '1', '-o', 'json',
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = JSON.parse(out);
  const pp = rows.find((r) => r.n_prompt === promptTokens && r.n_gen === 0);
  const tg = rows.find((r) => r.n_prompt === 0 && r.n_gen === genTokens);
  return { prefill: pp.avg_ts, decode: tg.avg_ts };
}

// Aggregate decode tokens/s of 4 concurrent streams, from the first stream's
// first token to the last stream's last token.
async function fourStreams(baseUrl, round, extra) {
  const runs = await Promise.all([0, 1, 2, 3].map((i) => {
    const start = performance.now();
    return streamCompletion(baseUrl, {
      model: 'bench', max_tokens: genTokens, temperature: 0, ...extra,
      messages: [{ role: 'user', content: `Stream ${i} of round ${round}, go.` }],
    }).then((run) => ({ ...run, start }));
  }));
  const begin = Math.min(...runs.map((run) => run.start + run.ttft));
  const end = Math.max(...runs.map((run) => run.start + run.ttft + run.decodeTime));
  const tokens = runs.reduce((sum, run) => sum + run.usage.completion_tokens - 1, 0);
  return { rate: tokens / ((end - begin) / 1000), tokens };
}

// One round against a server: prefill of a fresh prompt, one decode stream,
// four decode streams. The measured prefill comes right after a warm-up
// prefill of another fresh prompt, as llama-bench runs a warm-up pp512
// before the one it reports: compute threads that went to sleep while
// another program ran, and cores that slowed down meanwhile, cost the
// warm-up, on both sides.
// duet's own prefill time and its template and tokeniser's time (ms) for its
// answer number `count`, from the line
// its engine logs when an answer ends (AnswerTiming). The line is written
// before the answer's end is sent, but its pipe may be read after the stream.
async function duetPrefillMs(child, count) {
  for (let i = 0; i < 100; ++i) {
    const lines = child.output().split('\n').filter((l) => / model bench: .* prompt \d+ tokens/.test(l));
    if (lines.length >= count) {
      const line = lines[count - 1];
      return {
        prefill: Number(line.match(/prompt \d+ tokens \(\d+ cached\) in ([\d.]+) ms/)[1]),
        prepared: Number(line.match(/prepared in ([\d.]+) ms/)[1]),
      };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('duet logged no timing for the answer');
}

async function serverOnce(baseUrl, [warmPrompt, prompt], round, extra, engineMs) {
  await streamCompletion(baseUrl, {
    model: 'bench', max_tokens: 1, temperature: 0, ...extra,
    messages: [{ role: 'user', content: warmPrompt }],
  });
  const first = await streamCompletion(baseUrl, {
    model: 'bench', max_tokens: 1, temperature: 0, ...extra,
    messages: [{ role: 'user', content: prompt }],
  });
  const promptCount = first.usage.prompt_tokens - (first.usage.prompt_tokens_details?.cached_tokens ?? 0);
  const { prefill: prefillMs, prepared = NaN } = await engineMs(first);
  const decodeRun = await streamCompletion(baseUrl, {
    model: 'bench', max_tokens: genTokens, temperature: 0, ...extra,
    messages: [{ role: 'user', content: `Decode round ${round}.` }],
  });
  const generated = decodeRun.usage.completion_tokens;
  const streams = await fourStreams(baseUrl, round, extra);
  return {
    prefill: promptCount / (first.ttft / 1000), ttft: first.ttft, promptCount,
    enginePrefill: promptCount / (prefillMs / 1000), enginePrefillMs: prefillMs, prepared,
    decode: (generated - 1) / (decodeRun.decodeTime / 1000), generated,
    streams: streams.rate, streamTokens: streams.tokens,
  };
}

async function startDuet() {
  const { child, match } = await startProcess(args.duet, [
    'serve', '--port', '0', '--log-level', 'info', '--model', `bench=${args.model}`,
    '--set', `local.threads=${threads}`, '--set', 'local.slots=4',
    '--set', `local.flash_attention=${flashAttention}`,
    '--set', 'local.context=2048', '--set', `local.batch_size=${promptTokens}`,
  ], (text) => text.match(/listening on (http:\/\/[^\s]+)/));
  return { child, baseUrl: match[1] };
}

async function startLlamaServer() {
  const { child, match } = await startProcess(args['llama-server'], [
    '-m', args.model, '--port', '0', '--host', '127.0.0.1', '-t', String(threads),
    '-fa', flashAttention,
    '-np', '4', '-c', String(4 * 2048), '--no-webui',
  ], (text) => text.match(/listening on (http:\/\/[^\s,]+)/) ?? text.match(/server is listening on (http:\/\/[^\s]+)/));
  const baseUrl = match[1].replace(/\/$/, '');
  for (let i = 0; i < 100; ++i) {  // wait for the model to load
    const health = await fetch(`${baseUrl}/health`).catch(() => null);
    if (health?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, baseUrl };
}

log(`model ${args.model}, ${threads} threads, flash attention ${flashAttention}, ${repeat} rounds`);
const duet = await startDuet();
const server = await startLlamaServer();
const results = { bench: [], duet: [], server: [] };
try {
  // Fresh prompts of promptTokens tokens each: two per round (a warm-up and
  // the measured one) and two for the warm-up round.
  const prompts = [];
  for (let i = 0; i < 2 * (repeat + 1); ++i) {
    prompts.push(await promptOf(duet.baseUrl, promptTokens, `prompt ${i}:`));
  }
  const pair = (r) => [prompts[2 * r + 2], prompts[2 * r + 3]];
  // Each round's answers up to the measured one: the warm-up and the
  // measured prefill; then the decode stream and the four streams follow.
  let duetAnswers = 0;
  const duetMs = async () => {
    duetAnswers += 2;
    const ms = await duetPrefillMs(duet.child, duetAnswers);
    duetAnswers += 5;
    return ms;
  };
  const serverMs = async (run) => ({ prefill: run.timings.prompt_ms });
  await serverOnce(duet.baseUrl, pair(-1), 'warm-up', {}, duetMs);
  await serverOnce(server.baseUrl, pair(-1), 'warm-up', { ignore_eos: true }, serverMs);

  const measure = {
    bench: async () => llamaBenchOnce(),
    duet: async (r) => serverOnce(duet.baseUrl, pair(r), r, {}, duetMs),
    server: async (r) => serverOnce(server.baseUrl, pair(r), r, { ignore_eos: true }, serverMs),
  };
  const order = ['bench', 'duet', 'server'];
  for (let r = 0; r < repeat; ++r) {
    for (let k = 0; k < order.length; ++k) {
      const name = order[(r + k) % order.length];
      results[name].push(await measure[name](r));
    }
    const [b, d, s] = [results.bench[r], results.duet[r], results.server[r]];
    log(`round ${r + 1}: prefill bench ${b.prefill.toFixed(0)} duet ${d.prefill.toFixed(0)} server ${s.prefill.toFixed(0)}; ` +
        `decode bench ${b.decode.toFixed(1)} duet ${d.decode.toFixed(1)} server ${s.decode.toFixed(1)}; ` +
        `4 streams duet ${d.streams.toFixed(1)} server ${s.streams.toFixed(1)}`);
  }
} finally {
  await stop(duet.child);
  await stop(server.child);
}

const of = (name, key) => results[name].map((row) => row[key]);
const ratios = (ours, theirs) => ours.map((value, i) => value / theirs[i]);
const rows = [
  ['prefill t/s (pp512)', 'llama-bench', of('bench', 'prefill'), of('duet', 'prefill'), 0.97],
  ['prefill t/s (pp512)', 'llama-server', of('server', 'prefill'), of('duet', 'prefill'), 0.97],
  ['prefill, engine clock', 'llama-bench', of('bench', 'prefill'), of('duet', 'enginePrefill'), 0.97],
  ['(llama-server\'s)', 'llama-bench', of('bench', 'prefill'), of('server', 'enginePrefill'), 0.97],
  ['decode t/s (tg128)', 'llama-bench', of('bench', 'decode'), of('duet', 'decode'), 0.97],
  ['decode t/s (tg128)', 'llama-server', of('server', 'decode'), of('duet', 'decode'), 0.97],
  ['4-stream decode t/s', 'llama-server', of('server', 'streams'), of('duet', 'streams'), 1.0],
];
console.log(`\n${repeat} rounds, ${threads} threads, flash attention ${flashAttention}; medians, ratio = median of per-round ratios (min-max)`);
console.log(`${'measure'.padEnd(22)}${'reference'.padEnd(14)}${'llama.cpp'.padStart(10)}${'duet'.padStart(10)}${'ratio'.padStart(8)}${'range'.padStart(14)}${'target'.padStart(9)}`);
for (const [name, tool, ref, ours, target] of rows) {
  const perRound = ratios(ours, ref);
  const ratio = median(perRound);
  const range = `${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}`;
  console.log(`${name.padEnd(22)}${tool.padEnd(14)}${median(ref).toFixed(1).padStart(10)}${median(ours).toFixed(1).padStart(10)}` +
              `${ratio.toFixed(3).padStart(8)}${range.padStart(14)}${('>= ' + target).padStart(9)}${ratio >= target ? '' : '  (below)'}`);
}
const duetTtft = median(of('duet', 'ttft'));
const promptCount = results.duet[0].promptCount;
const prefillTime = median(of('duet', 'promptCount').map((count, i) => count / results.bench[i].prefill * 1000));
const overOwn = (name) => median(results[name].map((row) => row.ttft - row.enginePrefillMs));
console.log(`TTFT overhead over the engine's own prefill (client TTFT minus the engine's prefill time, ` +
            `per-round median): duet ${overOwn('duet').toFixed(2)} ms (target <= 1 ms), of which its chat template and ` +
            `tokeniser ${median(of('duet', 'prepared')).toFixed(2)} ms; llama-server ${overOwn('server').toFixed(2)} ms`);
console.log(`TTFT against llama-bench: duet ${duetTtft.toFixed(2)} ms to first token for ${promptCount} prompt tokens; ` +
            `llama-bench prefill alone ${prefillTime.toFixed(2)} ms; difference ${(duetTtft - prefillTime).toFixed(2)} ms`);
console.log(`TTFT, same prompts over HTTP: duet ${duetTtft.toFixed(2)} ms, llama-server ${median(of('server', 'ttft')).toFixed(2)} ms`);
console.log(`(llama-server -np 4 -c 8192, ignore_eos; prompt tokens: duet ${promptCount}, llama-server ${results.server[0].promptCount}; ` +
            `tokens per single stream: duet ${results.duet[0].generated}, llama-server ${results.server[0].generated}; ` +
            `across 4 streams: duet ${results.duet[0].streamTokens}, llama-server ${results.server[0].streamTokens})`);
