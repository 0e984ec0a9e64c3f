// Local engine benchmark: duet's embedded llama.cpp engine against
// llama.cpp's own llama-bench and llama-server, built from the same pinned
// source, on the same model with the same thread count, in one run.
//
// Run it through bench/local_engine.sh, which builds everything and passes:
//   --model PATH --duet PATH --llama-bench PATH --llama-server PATH --threads N
//
// Measures (each the best of --repeat runs):
//   prefill   prompt tokens/s for a 512-token prompt: llama-bench pp512 vs
//             duet (prompt tokens / time to first token, over HTTP)
//   decode    tokens/s for one stream of 128 tokens: llama-bench tg128 vs
//             duet (first to last token of a streamed answer)
//   4 streams aggregate tokens/s of 4 concurrent 128-token answers:
//             llama-server (-np 4) vs duet (local.slots=4), both over their
//             OpenAI-compatible streaming endpoint
//   TTFT overhead  duet's time to first token minus the prefill time that
//             llama-bench's pp512 rate implies for the same prompt
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) =>
    (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ''), all[i + 1]]] : pairs), []));
const threads = Number(args.threads ?? 2);
const repeat = Number(args.repeat ?? 3);
const promptTokens = 512;
const genTokens = 128;

function log(message) {
  process.stderr.write(`local_engine: ${message}\n`);
}

// Starts a server process and resolves once `ready(line)` matches its output.
async function startProcess(bin, argv, ready) {
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
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
    }
  }
  return { ttft: first - start, decodeTime: last - first, usage };
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

function llamaBench() {
  const out = execFileSync(args['llama-bench'], [
    '-m', args.model, '-p', String(promptTokens), '-n', String(genTokens),
    '-t', String(threads), '-r', String(repeat), '-o', 'json',
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = JSON.parse(out);
  const pp = rows.find((r) => r.n_prompt === promptTokens && r.n_gen === 0);
  const tg = rows.find((r) => r.n_prompt === 0 && r.n_gen === genTokens);
  return { prefill: pp.avg_ts, decode: tg.avg_ts };
}

// Single-stream prefill (over `prompts`, first one a warm-up) and decode.
async function single(baseUrl, prompts, extra) {
  let prefill = 0;
  let ttft = Infinity;
  let promptCount = 0;
  for (let i = 0; i < prompts.length; ++i) {
    const run = await streamCompletion(baseUrl, {
      model: 'bench', max_tokens: 1, temperature: 0, ...extra,
      messages: [{ role: 'user', content: prompts[i] }],
    });
    if (i === 0) continue;  // warm-up
    promptCount = run.usage.prompt_tokens - (run.usage.prompt_tokens_details?.cached_tokens ?? 0);
    prefill = Math.max(prefill, promptCount / (run.ttft / 1000));
    ttft = Math.min(ttft, run.ttft);
  }
  let decode = 0;
  let generated = 0;
  for (let i = 0; i < repeat; ++i) {
    const run = await streamCompletion(baseUrl, {
      model: 'bench', max_tokens: genTokens, temperature: 0, ...extra,
      messages: [{ role: 'user', content: `Decode run ${i}.` }],
    });
    generated = run.usage.completion_tokens;
    decode = Math.max(decode, (generated - 1) / (run.decodeTime / 1000));
  }
  return { prefill, ttft, promptCount, decode, generated };
}

async function duetSingle() {
  const { child, match } = await startProcess(args.duet, [
    'serve', '--port', '0', '--log-level', 'warn', '--model', `bench=${args.model}`,
    '--set', `local.threads=${threads}`, '--set', 'local.slots=4',
    '--set', 'local.context=2048', '--set', `local.batch_size=${promptTokens}`,
  ], (text) => text.match(/listening on (http:\/\/[^\s]+)/));
  const baseUrl = match[1];
  try {
    const prompts = [];
    for (let i = 0; i < repeat + 1; ++i) {
      prompts.push(await promptOf(baseUrl, promptTokens, `run ${i}:`));
    }
    const result = await single(baseUrl, prompts, {});
    const streams = await aggregate(baseUrl, 'bench', {});
    return { ...result, streams, prompts };
  } finally {
    await stop(child);
  }
}

// Aggregate decode tokens/s of 4 concurrent streams.
async function aggregate(baseUrl, model, extra) {
  let best = 0;
  let tokens = 0;
  for (let r = 0; r < repeat; ++r) {
    const runs = await Promise.all([0, 1, 2, 3].map((i) => {
      const start = performance.now();
      return streamCompletion(baseUrl, {
        model, max_tokens: genTokens, temperature: 0, ...extra,
        messages: [{ role: 'user', content: `Stream ${i} of run ${r}, go.` }],
      }).then((run) => ({ ...run, start }));
    }));
    const begin = Math.min(...runs.map((run) => run.start + run.ttft));
    const end = Math.max(...runs.map((run) => run.start + run.ttft + run.decodeTime));
    tokens = runs.reduce((sum, run) => sum + run.usage.completion_tokens - 1, 0);
    best = Math.max(best, tokens / ((end - begin) / 1000));
  }
  return { rate: best, tokens };
}

async function llamaServer(prompts) {
  const { child, match } = await startProcess(args['llama-server'], [
    '-m', args.model, '--port', '0', '--host', '127.0.0.1', '-t', String(threads),
    '-np', '4', '-c', String(4 * 2048), '--no-webui',
  ], (text) => text.match(/listening on (http:\/\/[^\s,]+)/) ?? text.match(/server is listening on (http:\/\/[^\s]+)/));
  let baseUrl = match[1].replace(/\/$/, '');
  try {
    for (let i = 0; i < 100; ++i) {  // wait for the model to load
      const health = await fetch(`${baseUrl}/health`).catch(() => null);
      if (health?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = await single(baseUrl, prompts.map((p) => `${p} `), { ignore_eos: true });
    const streams = await aggregate(baseUrl, 'bench', { ignore_eos: true });
    return { ...result, streams };
  } finally {
    await stop(child);
  }
}

log(`model ${args.model}, ${threads} threads`);
const reference = llamaBench();
log(`llama-bench: pp${promptTokens} ${reference.prefill.toFixed(1)} t/s, tg${genTokens} ${reference.decode.toFixed(1)} t/s`);
const duet = await duetSingle();
const server = await llamaServer(duet.prompts);

const prefillTime = (duet.promptCount / reference.prefill) * 1000;
const rows = [
  ['prefill t/s (pp512)', 'llama-bench', reference.prefill, duet.prefill, 0.97],
  ['prefill t/s (pp512)', 'llama-server', server.prefill, duet.prefill, 0.97],
  ['decode t/s (tg128)', 'llama-bench', reference.decode, duet.decode, 0.97],
  ['decode t/s (tg128)', 'llama-server', server.decode, duet.decode, 0.97],
  ['4-stream decode t/s', 'llama-server', server.streams.rate, duet.streams.rate, 1.0],
];
console.log(`\n${'measure'.padEnd(22)}${'reference'.padEnd(14)}${'llama.cpp'.padStart(10)}${'duet'.padStart(10)}${'ratio'.padStart(8)}${'target'.padStart(9)}`);
for (const [name, tool, ref, ours, target] of rows) {
  const ratio = ours / ref;
  console.log(`${name.padEnd(22)}${tool.padEnd(14)}${ref.toFixed(1).padStart(10)}${ours.toFixed(1).padStart(10)}${ratio.toFixed(3).padStart(8)}${('>= ' + target).padStart(9)}${ratio >= target ? '' : '  (below)'}`);
}
console.log(`TTFT overhead: duet ${duet.ttft.toFixed(2)} ms to first token for ${duet.promptCount} prompt tokens; ` +
            `llama-bench prefill alone ${prefillTime.toFixed(2)} ms; overhead ${(duet.ttft - prefillTime).toFixed(2)} ms (target <= 1 ms)`);
console.log(`TTFT, same prompts over HTTP: duet ${duet.ttft.toFixed(2)} ms, llama-server ${server.ttft.toFixed(2)} ms`);
console.log(`(llama-server -np 4 -c 8192, ignore_eos; tokens per single stream: duet ${duet.generated}, ` +
            `llama-server ${server.generated}; across 4 streams: duet ${duet.streams.tokens}, llama-server ${server.streams.tokens})`);
