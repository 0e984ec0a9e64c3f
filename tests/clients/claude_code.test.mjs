// Claude Code itself as a client: the real `claude` CLI (npm package
// @anthropic-ai/claude-code, pinned in package.json) runs one prompt in print
// mode against duet, offline, with a fresh HOME so no user configuration is
// read or written. Its requests are the real thing: POST
// /v1/messages?beta=true, streamed, with a body of about 90 KB (a long
// system prompt in several blocks with cache_control, a dozen tools, adaptive
// thinking, context_management, output_config, metadata) and a list of betas.
//
//   1. Answered by Claude: duet's Anthropic upstream is `duet sim`, scripted
//      through a directive line in the prompt; the simulator must have
//      received Claude Code's tools intact.
//   2. Answered by the local engine on the generated tiny model (random
//      weights, so only the shape of the outcome is checked).
//
// Model ids: case 1 uses Claude Code's own default (claude-opus-5-5 in
// 2.1.332), whose requests carry a mid-conversation {"role":"system"}
// message; the local case maps claude-sonnet-4-6 and claude-haiku-4-5 to
// the local model with Claude Code's `modelOverrides` setting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { exitedCleanly, startDuet, startSimulator } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLAUDE_BIN = path.join(HERE, 'node_modules', '.bin', 'claude');
const TINY_LONG_MODEL = process.env.DUET_TINY_LONG_MODEL;
if (!TINY_LONG_MODEL) {
  throw new Error('DUET_TINY_LONG_MODEL is not set (ctest sets it to the generated model)');
}

// The key duet holds for the simulator, and the one Claude Code sends duet.
const UPSTREAM_KEY = 'sk-ant-test-claude-code-upstream';
const CLIENT_KEY = 'sk-test-anything';
const SONNET = 'claude-sonnet-4-6';
const HAIKU = 'claude-haiku-4-5';
const MARKER = 'DUET-CLAUDE-CODE-OK';
const SIM_TIMEOUT_MS = 60_000;
// The first local request prefills ~22,000 tokens on one thread: 84 s alone
// under ASan, 236 s in a fresh-clone CI run beside the demo tests.
const LOCAL_TIMEOUT_MS = 420_000;
const KEPT_LOG_CHARS = 6_000;

// A directive line asking the simulator for `turn` (src/sim/sim_turn.h).
function directive(turn) {
  return `sim: ${JSON.stringify(turn)}`;
}

function tail(text, chars = KEPT_LOG_CHARS) {
  return text.length > chars ? `...${text.slice(text.length - chars)}` : text;
}

// Runs `claude -p <prompt> --output-format text` against duet at `baseUrl`
// with only the environment it needs plus `env`, HOME and the working
// directory in a fresh temporary folder, and `extraArgs`. Resolves to
// { code, signal, stdout, stderr, debug, ms }; `debug` holds the warnings and
// errors of Claude Code's debug log (its API errors, with bodies).
async function runClaude(baseUrl, prompt, { env = {}, extraArgs = [], timeoutMs }) {
  const home = await mkdtemp(path.join(tmpdir(), 'duet-claude-code-'));
  try {
    const workspace = path.join(home, 'workspace');
    await mkdir(workspace);
    const debugFile = path.join(home, 'claude-debug.log');
    const started = Date.now();
    const child = spawn(CLAUDE_BIN,
      ['-p', prompt, '--output-format', 'text', '--debug-file', debugFile, ...extraArgs], {
        cwd: workspace,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_CONFIG_HOME: path.join(home, '.config'),
          ANTHROPIC_BASE_URL: baseUrl,
          ANTHROPIC_API_KEY: CLIENT_KEY,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_AUTOUPDATER: '1',
          ...env,
        },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
      });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const [code, signal] = await once(child, 'close');
    const ms = Date.now() - started;
    const debug = await readFile(debugFile, 'utf8')
      .then((text) => text.split('\n').filter((line) => /\[(WARN|ERROR)\]/.test(line)).join('\n'))
      .catch(() => '(no debug log)');
    return { code, signal, stdout, stderr, debug, ms };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

// What a failed assertion prints: Claude Code's result and the servers' logs
// (without llama.cpp's own debug lines).
function report(result, servers) {
  const logs = Object.entries(servers)
    .map(([name, server]) => {
      const lines = server.output().split('\n').filter((line) => !line.includes(' llama.cpp: '));
      return `\n--- ${name} output ---\n${tail(lines.join('\n'))}`;
    })
    .join('');
  return `claude exited with code ${result.code}, signal ${result.signal} ` +
    `after ${result.ms} ms` +
    `\n--- claude stdout ---\n${tail(result.stdout)}` +
    `\n--- claude stderr ---\n${tail(result.stderr)}` +
    `\n--- claude debug log (warnings and errors) ---\n${tail(result.debug)}${logs}`;
}

async function stopAll(servers) {
  for (const [name, server] of Object.entries(servers)) {
    const exit = await server?.stop();
    if (exit) {
      assert.ok(exitedCleanly(exit), `${name} did not exit cleanly: ${JSON.stringify(exit)}`);
    }
  }
}

describe('Claude Code through duet to Claude (the simulator)', () => {
  let sim;
  let duet;
  before(async () => {
    sim = await startSimulator();
    duet = await startDuet([
      '--log-level', 'debug',
      '--set', `anthropic.base_url=${sim.baseUrl}`,
    ], { env: { ANTHROPIC_API_KEY: UPSTREAM_KEY } });
  });
  after(async () => {
    await stopAll({ duet, sim });
  });

  async function simulatorMessages() {
    const response = await fetch(`${sim.baseUrl}/_sim/requests`);
    assert.equal(response.status, 200);
    const recorded = await response.json();
    return recorded
      .filter((request) => request.method === 'POST' && request.path === '/v1/messages')
      .map((request) => JSON.parse(request.body));
  }

  test('answers a prompt with the scripted reply, tools passed upstream', async (t) => {
    await fetch(`${sim.baseUrl}/_sim/requests`, { method: 'DELETE' });
    const result = await runClaude(duet.baseUrl,
      `What is duet, in one sentence?\n${directive({ text: MARKER })}`, {
        timeoutMs: SIM_TIMEOUT_MS,
      });
    t.diagnostic(`claude took ${result.ms} ms`);
    const servers = { duet, sim };
    assert.equal(result.code, 0, report(result, servers));
    assert.ok(result.stdout.includes(MARKER), report(result, servers));

    const bodies = await simulatorMessages();
    const withTools = bodies.filter((body) => Array.isArray(body.tools) && body.tools.length >= 5);
    assert.ok(withTools.length >= 1,
      `no POST /v1/messages with 5 or more tools reached the simulator; tool counts: ` +
      `${JSON.stringify(bodies.map((body) => body.tools?.length ?? 0))}\n${report(result, servers)}`);
    for (const body of withTools) {
      assert.match(body.model, /^claude-/);
      for (const tool of body.tools) {
        assert.equal(typeof tool.name, 'string', JSON.stringify(tool).slice(0, 200));
        assert.equal(typeof tool.input_schema, 'object', `tool ${tool.name} lost its input_schema`);
      }
    }
    t.diagnostic(`models asked for: ${JSON.stringify([...new Set(bodies.map((b) => b.model))])}; ` +
      `roles: ${JSON.stringify([...new Set(bodies.flatMap((b) => b.messages.map((m) => m.role)))])}`);
  });

  test('a model it is pinned to gets the same answer', async () => {
    const result = await runClaude(duet.baseUrl,
      `What is duet, in one sentence?\n${directive({ text: MARKER })}`, {
        env: {
          ANTHROPIC_MODEL: SONNET,
          ANTHROPIC_SMALL_FAST_MODEL: HAIKU,
          ANTHROPIC_DEFAULT_HAIKU_MODEL: HAIKU,
        },
        timeoutMs: SIM_TIMEOUT_MS,
      });
    const servers = { duet, sim };
    assert.equal(result.code, 0, report(result, servers));
    assert.ok(result.stdout.includes(MARKER), report(result, servers));
  });
});

describe('Claude Code through duet to the local tiny model', () => {
  let duet;
  before(async () => {
    duet = await startDuet([
      '--log-level', 'debug',
      '--model', `tiny=${TINY_LONG_MODEL}`,
      '--set', 'local.context=65536',
      '--set', 'local.slots=1',
      // One inference thread, as every other local-model test: ctest runs
      // two tests at once on two cores, and llama.cpp's threads wait for
      // each other spinning, so two of them sharing a core with another
      // test stalled for minutes.
      '--set', 'local.threads=1',
    ], { env: { ANTHROPIC_API_KEY: undefined } });  // Claude off: local only
  });
  after(async () => {
    await stopAll({ duet });
  });

  // The long tiny model (make_test_model --ends-turns) writes noise but ends
  // its turns by itself, so Claude Code gets complete answers and prints
  // the last one.
  test('answers a prompt from the local engine', async (t) => {
    const overrides = { modelOverrides: { [SONNET]: 'tiny', [HAIKU]: 'tiny' } };
    const result = await runClaude(duet.baseUrl, 'Say hello.', {
      env: {
        ANTHROPIC_MODEL: SONNET,
        ANTHROPIC_SMALL_FAST_MODEL: HAIKU,
        ANTHROPIC_DEFAULT_HAIKU_MODEL: HAIKU,
      },
      extraArgs: ['--settings', JSON.stringify(overrides)],
      timeoutMs: LOCAL_TIMEOUT_MS,
    });
    t.diagnostic(`claude took ${result.ms} ms, exit code ${result.code}: ` +
      JSON.stringify(result.stdout.slice(0, 200)));
    const servers = { duet };
    assert.equal(result.code, 0, report(result, servers));
    assert.notEqual(result.stdout.trim(), '', report(result, servers));
  });
});
