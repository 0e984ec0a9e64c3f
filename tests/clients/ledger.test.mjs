// The ledger through the official SDKs: the real duet (tiny local model,
// `duet sim` as Claude) answers, and the rows are read back with the
// sqlite3 shell, the way a user would inspect them. Checked: a Claude
// answer's row carries the upstream's usage priced at the model's list
// prices; a fallback's row says so; a local answer costs electricity and
// carries the Claude-tier equivalents; a sensitive request is marked; no
// key, prompt or answer text is in the database file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { exitedCleanly, startSimulator, startTinyDuetWithSim } from './server.mjs';

const TINY_MODEL = process.env.DUET_TINY_MODEL;
if (!TINY_MODEL) {
  throw new Error('DUET_TINY_MODEL is not set (ctest sets it to the generated model)');
}
const API_KEY = 'sk-ant-ledger-test-NEVER-STORED-4242';
const CLIENT_KEY = 'client-key-NEVER-STORED-9191';
const SECRET_WORDS = 'zebra-quartz-lighthouse';

let sim;
let duet;
let anthropic;
let openai;
let stopped;

before(async () => {
  sim = await startSimulator(['--api-key', API_KEY]);
  duet = await startTinyDuetWithSim(sim.baseUrl, API_KEY);
  anthropic = new Anthropic({ apiKey: CLIENT_KEY, baseURL: duet.baseUrl, maxRetries: 0 });
  openai = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${duet.baseUrl}/v1`, maxRetries: 0 });
});

after(async () => {
  if (!stopped) {
    await duet?.stop();
  }
  await sim?.stop();
});

// Rows as the sqlite3 shell prints them (JSON mode).
function query(sql) {
  const out = execFileSync('sqlite3', ['-json', duet.ledgerPath, sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : JSON.parse(out);
}

// Waits for the row of `requestId` (rows are written every 20 ms here).
async function rowOf(requestId) {
  for (let i = 0; i < 250; i++) {
    if (fs.existsSync(duet.ledgerPath)) {
      const rows = query(`SELECT * FROM requests WHERE request_id = '${requestId}'`);
      if (rows.length === 1) {
        return rows[0];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ledger row for ${requestId}`);
}

const near = (actual, expected) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

test('a Claude answer is priced from the upstream usage at list prices', async () => {
  const { data: message, response } = await anthropic.messages
    .create({ model: 'claude-sonnet-4-5', max_tokens: 64,
              messages: [{ role: 'user', content: `review this diff ${SECRET_WORDS}` }] })
    .withResponse();
  const row = await rowOf(response.headers.get('request-id'));
  assert.equal(row.backend, 'anthropic');
  assert.equal(row.local, 0);
  assert.equal(row.api, 'anthropic');
  assert.equal(row.requested_model, 'claude-sonnet-4-5');
  assert.equal(row.outcome, 'ok');
  assert.equal(row.input_tokens, message.usage.input_tokens);
  assert.equal(row.output_tokens, message.usage.output_tokens);
  // Sonnet 4.5: $3 / $15 per million tokens.
  const cost = (message.usage.input_tokens * 3 + message.usage.output_tokens * 15) / 1e6;
  near(row.cost_usd, cost);
  near(row.claude_sonnet_usd, cost);  // the sonnet tier is Sonnet 4.6, same prices
  near(row.claude_haiku_usd,
    (message.usage.input_tokens * 1 + message.usage.output_tokens * 5) / 1e6);
  assert.match(row.client_key, /^key-[0-9a-f]{12}$/);
});

test('a fallback answer is recorded as one, with who failed', async () => {
  const directive = `sim: ${JSON.stringify({ fault: 'overloaded' })}`;
  const { response } = await openai.chat.completions
    .create({ model: 'claude-haiku-4-5', max_tokens: 8,
              messages: [{ role: 'user', content: `hi\n${directive}` }] })
    .withResponse();
  assert.ok(response.headers.get('x-duet-fallback'));
  const row = await rowOf(response.headers.get('x-request-id'));
  assert.equal(row.outcome, 'fallback');
  assert.equal(row.backend, 'llama');
  assert.equal(row.model, 'tiny');
  assert.equal(row.local, 1);
  assert.match(row.fallback_reason, /^anthropic: /);
  assert.ok(row.cost_usd > 0, 'a local answer costs its electricity');
  assert.ok(row.cost_usd < 0.001);
});

test('a fallback after Claude\'s stream failed part way records only the local answer', async () => {
  const text = 'Claude began this answer but never finished it.';
  const directive = `sim: ${JSON.stringify({ text, fault: 'stream_error', after_events: 5 })}`;
  const { data: message, response } = await anthropic.messages
    .create({ model: 'claude-haiku-4-5', max_tokens: 8,
              messages: [{ role: 'user', content: `hi\n${directive}` }] })
    .withResponse();
  assert.match(response.headers.get('x-duet-fallback'), /^anthropic: /);
  const row = await rowOf(response.headers.get('request-id'));
  assert.equal(row.outcome, 'fallback');
  assert.equal(row.backend, 'llama');
  assert.equal(row.model, 'tiny');
  // The tiny model's usage, not the usage Claude's half answer began with.
  assert.equal(row.input_tokens, message.usage.input_tokens);
  assert.equal(row.output_tokens, message.usage.output_tokens);
  assert.equal(row.stop_reason, message.stop_reason);
  assert.ok(row.ttft_ms >= 0 && row.ttft_ms <= row.latency_ms);
  assert.ok(row.cost_usd < 0.001, 'priced as a local answer');
});

test('a local answer costs electricity and carries the Claude equivalents', async () => {
  // x-duet-route: local, so the noise of the tiny model is not escalated.
  const { data: completion, response } = await openai.chat.completions
    .create({ model: 'auto', max_tokens: 8,
              messages: [{ role: 'user', content: 'draft a two-line note to the team' }] },
            { headers: { 'x-duet-route': 'local' } })
    .withResponse();
  assert.equal(response.headers.get('x-duet-side'), 'local');
  const row = await rowOf(response.headers.get('x-request-id'));
  assert.equal(row.side, 'local');
  assert.equal(row.rule, response.headers.get('x-duet-rule'));
  assert.equal(row.task, response.headers.get('x-duet-task'));
  assert.equal(row.output_tokens, completion.usage.completion_tokens);
  assert.ok(row.local_busy_seconds > 0);
  // Default costs: 350 W at $0.15 per kWh.
  near(row.cost_usd, row.local_busy_seconds / 3600 * 0.35 * 0.15);
  // Opus 4.6: $5 in, $25 out, $6.25 cache writes, $0.50 cache reads (the
  // local engine reports its reused KV-cache prefix as cache reads).
  near(row.claude_opus_usd, (row.input_tokens * 5 + row.cache_write_tokens * 6.25 +
    row.cache_read_tokens * 0.5 + row.output_tokens * 25) / 1e6);
  assert.ok(row.ttft_ms === null || row.ttft_ms <= row.latency_ms);
});

test('a sensitive request is marked and stays local', async () => {
  const { response } = await anthropic.messages
    .create({ model: 'auto', max_tokens: 8,
              messages: [{ role: 'user', content: 'my SSN is 536-22-8471, draft a note' }] })
    .withResponse();
  const row = await rowOf(response.headers.get('request-id'));
  assert.equal(row.sensitive, 1);
  assert.equal(row.side, 'local');
  assert.equal(row.rule, 'sensitive');
});

test('the database holds no key and no prompt or answer text', async () => {
  const metrics = await (await fetch(`${duet.baseUrl}/metrics`)).text();
  assert.match(metrics, /duet_requests_total\{side="cloud",backend="anthropic"/);
  const counted = query('SELECT count(*) AS n FROM requests')[0].n;
  assert.ok(counted >= 4);
  assert.equal(query('SELECT count(*) AS n FROM requests WHERE prompt IS NOT NULL')[0].n, 0);

  // The raw bytes of the database and its write-ahead log.
  const bytes = ['', '-wal']
    .map((suffix) => duet.ledgerPath + suffix)
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file).toString('latin1'))
    .join('');
  assert.ok(bytes.length > 0);
  for (const secret of [API_KEY, CLIENT_KEY, SECRET_WORDS, '536-22-8471']) {
    assert.ok(!bytes.includes(secret), `${secret} is in the ledger`);
  }

  const stop = await duet.stop();
  stopped = true;
  assert.ok(exitedCleanly(stop), stop.stderr);
});
