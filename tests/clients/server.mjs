// Starts duet_scripted (duet with the scripted test backend), the real duet
// or `duet sim` (and llama.cpp's llama-server as a peer) for the SDK client
// tests, and the token rule of that backend
// (tests/support/scripted_backend.h) so tests can predict usage exactly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';

const LISTENING = /duet listening on (http:\/\/127\.0\.0\.1:(\d+))/;
const SIM_LISTENING = /duet sim listening on (http:\/\/127\.0\.0\.1:(\d+))/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const KEPT_OUTPUT_CHARS = 8_000;

function keepTail(text, more) {
  const joined = text + more;
  return joined.length > KEPT_OUTPUT_CHARS
    ? joined.slice(joined.length - KEPT_OUTPUT_CHARS)
    : joined;
}

// Starts `$DUET_SCRIPTED_BIN serve --port 0 --log-level warn <extraArgs>` and resolves to
// { baseUrl, stop() } once it prints its listening line. Rejects with the
// server's output when it exits early or does not listen in time.
export async function startServer(extraArgs = []) {
  const bin = process.env.DUET_SCRIPTED_BIN;
  if (!bin) {
    throw new Error('DUET_SCRIPTED_BIN is not set (ctest sets it to the duet_scripted binary)');
  }
  return startProcess(bin, ['serve', '--port', '0', '--log-level', 'warn', ...extraArgs],
    LISTENING);
}

// Starts `$DUET_BIN sim --port 0 --log-level warn <extraArgs>` (the Claude
// simulator, src/sim/claude_simulator.h), like startServer.
export async function startSimulator(extraArgs = []) {
  const bin = process.env.DUET_BIN;
  if (!bin) {
    throw new Error('DUET_BIN is not set (ctest sets it to the duet binary)');
  }
  return startProcess(bin, ['sim', '--port', '0', '--log-level', 'warn', ...extraArgs],
    SIM_LISTENING);
}

// Starts `$DUET_BIN serve --port 0 <args>` (the real duet, with the local
// engine and the cloud backends its flags configure) with `env` added to
// the environment, like startServer. The result's output() is everything
// the server printed so far, stdout and stderr, not just the tails; tests
// search it (the secret-leak check).
export async function startDuet(args = [], { env = {} } = {}) {
  const bin = process.env.DUET_BIN;
  if (!bin) {
    throw new Error('DUET_BIN is not set (ctest sets it to the duet binary)');
  }
  return startProcess(bin, ['serve', '--port', '0', ...args], LISTENING,
    { env, keepAllOutput: true });
}

// The real duet with the generated tiny model ($DUET_TINY_MODEL) as its
// local side and `duet sim` at `simUrl` (holding `apiKey`) as Claude, no
// retries, and the ledger flushed every 20 ms: what the ledger and
// escalation tests run.
export async function startTinyDuetWithSim(simUrl, apiKey, extraArgs = []) {
  return startDuet([
    '--log-level', 'warn',
    '--model', `tiny=${process.env.DUET_TINY_MODEL}`,
    '--set', 'local.context=512',
    '--set', 'local.threads=1',
    '--set', `anthropic.base_url=${simUrl}`,
    '--set', 'anthropic.max_retries=0',
    '--set', 'ledger.flush_interval_ms=20',
    ...extraArgs,
  ], { env: { ANTHROPIC_API_KEY: apiKey } });
}

// Spawns `bin args...` and resolves to { baseUrl, stop(), output() } once
// its stdout matches `listening` (group 1: the base URL). `env` is added to
// the inherited environment; `keepAllOutput` keeps the whole output for
// output() instead of its tails.
async function startProcess(bin, args, listening,
  { env = {}, keepAllOutput = false } = {}) {
  // The server's ledger goes to a folder of its own, never the developer's
  // (ledgerPath in the result; removed when the server stops).
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duet-clients-data-'));
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_DATA_HOME: dataDir, ...env },
  });
  let stdout = '';
  let stderr = '';
  const everything = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // Keep draining both pipes for the whole run so the server never blocks
  // on a full pipe; keep the tails for error messages.
  child.stderr.on('data', (chunk) => {
    stderr = keepTail(stderr, chunk);
  });
  if (keepAllOutput) {
    child.stdout.on('data', (chunk) => everything.push(chunk));
    child.stderr.on('data', (chunk) => everything.push(chunk));
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));

  const baseUrl = await new Promise((resolve, reject) => {
    let settled = false;
    const finish = (callback, value) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        callback(value);
      }
    };
    const describe = () => `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(reject, new Error(
        `${bin} did not print a line matching ${listening} ` +
        `within ${START_TIMEOUT_MS} ms${describe()}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      stdout = keepTail(stdout, chunk);
      const match = listening.exec(stdout);
      if (match) {
        finish(resolve, match[1]);
      }
    });
    child.on('error', (error) => {
      finish(reject, new Error(`cannot start ${bin}: ${error.message}`));
    });
    exited.then(({ code, signal }) => {
      finish(reject, new Error(
        `${bin} exited before listening (code ${code}, signal ${signal})${describe()}`));
    });
  });

  // Sends SIGTERM and resolves to { code, signal, stderr } once the server
  // has exited (SIGKILL after STOP_TIMEOUT_MS).
  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const result = await exited;
    clearTimeout(killer);
    fs.rmSync(dataDir, { recursive: true, force: true });
    return { ...result, stderr };
  }

  const output = () => (keepAllOutput ? everything.join('') : stdout + stderr);
  const ledgerPath = path.join(dataDir, 'duet', 'ledger.db');

  return { baseUrl, stop, output, ledgerPath };
}

// True for a clean end after SIGTERM: exit code 0, or killed by the SIGTERM
// itself. A sanitizer report (non-zero code or SIGABRT) is not clean.
export function exitedCleanly({ code, signal }) {
  return code === 0 || (code === null && signal === 'SIGTERM');
}

// The scripted backend's input rule: ceil(UTF-8 bytes of all counted text
// / 4), at least 1. `parts` are the strings it counts (system text, message
// text, tool_use input JSON, tool_result text).
export function scriptedInputTokens(...parts) {
  const bytes = parts.reduce((sum, part) => sum + Buffer.byteLength(part, 'utf8'), 0);
  return Math.max(1, Math.ceil(bytes / 4));
}

// The scripted backend's output rule: whitespace-separated words, at least 1.
export function scriptedOutputTokens(...texts) {
  const words = texts.join(' ').split(/\s+/).filter((word) => word.length > 0);
  return Math.max(1, words.length);
}

// Registers node:test hooks for a test file: before its tests, starts the
// server (with `extraArgs`) and calls `onListening(baseUrl)` (where the file
// builds its SDK client); after them, stops the server and fails unless it
// exited cleanly.
export function useServer(onListening, extraArgs = []) {
  let server;
  before(async () => {
    server = await startServer(extraArgs);
    onListening(server.baseUrl);
  });
  after(async () => {
    const exit = await server?.stop();
    if (exit) {
      assert.ok(exitedCleanly(exit),
        `server did not exit cleanly after SIGTERM: ${JSON.stringify(exit)}`);
    }
  });
}

// Awaits `promise`, which must reject; returns the error.
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

// A free TCP port on 127.0.0.1 (for servers that cannot take port 0).
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Starts llama.cpp's llama-server ($DUET_LLAMA_SERVER) on `model` and
// resolves to { baseUrl, stop() } once GET /health answers 200.
export async function startLlamaServer(model, extraArgs = []) {
  const bin = process.env.DUET_LLAMA_SERVER;
  const port = await freePort();
  const child = spawn(bin, ['-m', model, '--host', '127.0.0.1', '--port', String(port),
    '-c', '2048', '-np', '2', '--threads', '1', ...extraArgs],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = keepTail(stderr, chunk);
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`llama-server exited early:\n${stderr}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.status === 200) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`llama-server did not become healthy:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const result = await exited;
    clearTimeout(killer);
    return result;
  }
  return { baseUrl, stop, output: () => stderr };
}
