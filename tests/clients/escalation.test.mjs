// Escalation end to end: the real duet with the generated tiny model (its
// answers are noise) and `duet sim` as Claude. A local answer cut off on a
// short max_tokens fails the "truncated" check, so Claude answers the same
// request instead; the response says so, the simulator received it, and
// the ledger row records the escalation and the local attempt. A sensitive
// request is never escalated; an answer that passes its checks stays local.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { startSimulator, startTinyDuetWithSim } from './server.mjs';

const TINY_MODEL = process.env.DUET_TINY_MODEL;
if (!TINY_MODEL) {
  throw new Error('DUET_TINY_MODEL is not set (ctest sets it to the generated model)');
}
const API_KEY = 'sk-ant-escalation-test-5150';
const SHORT = 8;    // max_tokens the tiny model always uses up: "truncated"
const LONGER = 40;  // over truncated_budget_tokens (16) below: passes

let sim;
let duet;
let anthropic;
let openai;
let configDir;

before(async () => {
  sim = await startSimulator(['--api-key', API_KEY]);
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duet-escalation-'));
  const config = path.join(configDir, 'duet.toml');
  // Only the "truncated" check, on budgets up to 16 tokens: the tiny
  // model's noise cannot trip the others by chance.
  fs.writeFileSync(config, [
    '[policy.escalation]',
    'checks = ["truncated"]',
    'truncated_budget_tokens = 16',
    '',
  ].join('\n'));
  duet = await startTinyDuetWithSim(sim.baseUrl, API_KEY, ['--config', config]);
  anthropic = new Anthropic({ apiKey: 'client', baseURL: duet.baseUrl, maxRetries: 0 });
  openai = new OpenAI({ apiKey: 'client', baseURL: `${duet.baseUrl}/v1`, maxRetries: 0 });
});

after(async () => {
  await duet?.stop();
  await sim?.stop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

async function simMessages() {
  const response = await fetch(`${sim.baseUrl}/_sim/requests`);
  return (await response.json()).filter((request) => request.path === '/v1/messages');
}

async function rowOf(requestId) {
  for (let i = 0; i < 250; i++) {
    if (fs.existsSync(duet.ledgerPath)) {
      const out = execFileSync('sqlite3', ['-json', duet.ledgerPath,
        `SELECT * FROM requests WHERE request_id = '${requestId}'`], { encoding: 'utf8' });
      if (out.trim() !== '') {
        return JSON.parse(out)[0];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ledger row for ${requestId}`);
}

// Greedy decoding, so the tiny model's answer (and whether it runs to
// max_tokens) is the same every run.
const ask = (text, maxTokens, extra = {}) => ({
  model: 'auto', max_tokens: maxTokens, temperature: 0,
  messages: [{ role: 'user', content: text }], ...extra,
});

test('a truncated local answer is replaced by Claude\'s, and the ledger says so', async () => {
  const before = (await simMessages()).length;
  const { data: message, response } = await anthropic.messages
    .create(ask('draft a short note to the team about Friday', SHORT))
    .withResponse();
  assert.equal(response.headers.get('x-duet-escalation'), 'truncated');
  assert.match(response.headers.get('x-duet-escalation-reason'), /max_tokens/);
  assert.equal(response.headers.get('x-duet-backend'), 'anthropic');
  assert.equal(response.headers.get('x-duet-side'), 'cloud');
  assert.match(message.model, /^claude-/);
  const sent = await simMessages();
  assert.equal(sent.length, before + 1, 'Claude got the request once');
  assert.match(JSON.stringify(JSON.parse(sent.at(-1).body).messages), /Friday/);

  const row = await rowOf(response.headers.get('request-id'));
  assert.equal(row.outcome, 'escalated');
  assert.equal(row.escalation, 'truncated');
  assert.equal(row.backend, 'anthropic');
  assert.equal(row.local_attempt_model, 'tiny');
  assert.equal(row.local_attempt_output_tokens, SHORT);
  assert.ok(row.local_attempt_seconds > 0);
  assert.ok(row.local_attempt_usd > 0, 'the local attempt cost its electricity');
  assert.equal(row.output_tokens, message.usage.output_tokens);
});

test('streaming clients get Claude\'s stream when the local answer fails in time', async () => {
  const stream = await openai.chat.completions
    .create({ ...ask('draft a short note to the team', SHORT), stream: true })
    .withResponse();
  assert.equal(stream.response.headers.get('x-duet-escalation'), 'truncated');
  let text = '';
  for await (const chunk of stream.data) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.ok(text.length > 0);
});

test('an answer that passes its checks stays local', async () => {
  const before = (await simMessages()).length;
  const { response } = await anthropic.messages
    .create(ask('draft a short note to the team', LONGER))
    .withResponse();
  assert.equal(response.headers.get('x-duet-escalation'), 'passed');
  assert.equal(response.headers.get('x-duet-backend'), 'llama');
  assert.equal((await simMessages()).length, before);
  const row = await rowOf(response.headers.get('request-id'));
  assert.equal(row.outcome, 'ok');
  assert.equal(row.escalation, 'passed');
});

test('a sensitive request is never escalated', async () => {
  const before = (await simMessages()).length;
  const { response } = await anthropic.messages
    .create(ask('my SSN is 536-22-8471, draft a note to HR', SHORT))
    .withResponse();
  assert.equal(response.headers.get('x-duet-backend'), 'llama');
  assert.equal(response.headers.get('x-duet-escalation'), null);
  assert.equal((await simMessages()).length, before);
  const sent = JSON.stringify(await simMessages());
  assert.ok(!sent.includes('536-22-8471'));
});

test('duet/polish: the local draft is improved by Claude, and both steps are recorded', async () => {
  const before = (await simMessages()).length;
  const { data: message, response } = await anthropic.messages
    .create({ ...ask('draft a short note to the team about Friday', LONGER),
              model: 'duet/polish' })
    .withResponse();
  assert.equal(response.headers.get('x-duet-workflow'), 'polish');
  assert.equal(response.headers.get('x-duet-backend'), 'anthropic');
  assert.equal(response.headers.get('x-duet-rule'), 'polish');
  assert.match(message.model, /^claude-sonnet/);
  const sent = await simMessages();
  assert.equal(sent.length, before + 1);
  const messages = JSON.parse(sent.at(-1).body).messages;
  assert.equal(messages.length, 3);
  assert.equal(messages[1].role, 'assistant');  // the tiny model's draft
  assert.match(JSON.stringify(messages[2]), /Improve your answer above/);

  const row = await rowOf(response.headers.get('request-id'));
  assert.equal(row.workflow, 'polish');
  assert.equal(row.outcome, 'ok');
  assert.equal(row.local_attempt_model, 'tiny');
  assert.ok(row.local_attempt_output_tokens > 0);
  assert.ok(row.local_attempt_usd > 0);
  assert.equal(row.output_tokens, message.usage.output_tokens);
});

test('duet run --polish shows the local draft, Claude\'s version and the review', async () => {
  const before = (await simMessages()).length;
  const config = path.join(configDir, 'review.toml');
  fs.writeFileSync(config, '[policy.polish]\nreview = true\n');
  const run = (prompt) => execFileSync(process.env.DUET_BIN, [
    'run', TINY_MODEL, '--polish', prompt, '--config', config,
    '--set', `anthropic.base_url=${sim.baseUrl}`, '--set', 'anthropic.max_retries=0',
    '--set', 'local.default_max_tokens=16', '--set', 'local.context=512',
  ], { encoding: 'utf8', env: { ...process.env, ANTHROPIC_API_KEY: API_KEY } });

  const out = run('draft a short note to the team about Friday');
  const draft = out.indexOf('-- draft (local tiny)');
  const polished = out.indexOf('-- polished (claude-sonnet-4-6)');
  const review = out.indexOf('-- review (local tiny): ');
  assert.ok(draft >= 0 && polished > draft && review > polished, out);
  // The simulator echoes the last user turn: the request to improve the draft.
  assert.match(out.slice(polished, review), /Improve your answer above/);
  const sent = await simMessages();
  assert.equal(sent.length, before + 1);
  const messages = JSON.parse(sent.at(-1).body).messages;
  assert.equal(messages[1].role, 'assistant');  // the draft, as Claude's own answer

  const sensitive = run('my SSN is 536-22-8471, draft a note to HR');
  assert.match(sensitive, /sensitive data in the conversation: not sent to Claude/);
  assert.equal((await simMessages()).length, before + 1);
});

test('the opt-in confidence check escalates the tiny model\'s guessing', async () => {
  const config = path.join(configDir, 'confidence.toml');
  fs.writeFileSync(config, '[policy.escalation]\nchecks = ["confidence"]\n');
  const guarded = await startTinyDuetWithSim(sim.baseUrl, API_KEY, ['--config', config]);
  try {
    const client = new Anthropic({ apiKey: 'client', baseURL: guarded.baseUrl, maxRetries: 0 });
    const { response } = await client.messages
      .create(ask('draft a short note to the team about Friday', LONGER))
      .withResponse();
    // Random weights: a typical token has a ~1/32000 chance.
    assert.equal(response.headers.get('x-duet-escalation'), 'confidence');
    assert.match(response.headers.get('x-duet-escalation-reason'),
      /mean token log-probability was -\d+\.\d\d over \d+ tokens/);
    assert.equal(response.headers.get('x-duet-backend'), 'anthropic');
  } finally {
    await guarded.stop();
  }
});
