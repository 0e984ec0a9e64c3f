// Shadow evaluation and the polish review, end to end: the real duet with
// the generated tiny model and `duet sim` as Claude. Half the answers the
// task table keeps local are also put to Claude after the client has its
// answer, a Claude judge compares the two, and the ledger's `shadow` table
// and `duet report` show it; sensitive requests are never shadowed; a
// monthly cap stops shadow calls; with [policy.polish] review the local
// model reviews Claude's version and the verdict is on the response.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';

import { startSimulator, startTinyDuetWithSim } from './server.mjs';

const API_KEY = 'sk-ant-shadow-test-7070';

let sim;
let duet;
let anthropic;
let configDir;

function writeConfig(name, lines) {
  const file = path.join(configDir, name);
  fs.writeFileSync(file, [...lines, ''].join('\n'));
  return file;
}

before(async () => {
  sim = await startSimulator(['--api-key', API_KEY]);
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duet-shadow-'));
  // No escalation: the tiny model's noise would be replaced by Claude's
  // answer, and escalated answers are not shadowed.
  const config = writeConfig('duet.toml', [
    '[policy.escalation]', 'enabled = false',
    '[policy.shadow]', 'enabled = true', 'sample_rate = 0.5', 'judge = "haiku"',
    '[policy.polish]', 'review = true',
  ]);
  duet = await startTinyDuetWithSim(sim.baseUrl, API_KEY, ['--config', config]);
  anthropic = new Anthropic({ apiKey: 'client', baseURL: duet.baseUrl, maxRetries: 0 });
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

function query(ledger, sql) {
  if (!fs.existsSync(ledger)) {
    return [];
  }
  const out = execFileSync('sqlite3', ['-json', ledger, sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : JSON.parse(out);
}

async function waitFor(condition, what) {
  for (let i = 0; i < 500; i++) {
    const value = await condition();
    if (value) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ask = (text, extra = {}) => ({
  model: 'auto', max_tokens: 24, temperature: 0,
  messages: [{ role: 'user', content: text }], ...extra,
});

const isJudge = (request) => JSON.stringify(JSON.parse(request.body).system ?? '')
  .includes('You compare two answers');

test('every second local answer is shadowed by Claude and judged, off the client\'s path', async () => {
  const ids = [];
  for (let i = 0; i < 6; i++) {
    const { response } = await anthropic.messages
      .create(ask(`draft a short note to the team about Friday, version ${i}`))
      .withResponse();
    assert.equal(response.headers.get('x-duet-backend'), 'llama');
    ids.push(response.headers.get('request-id'));
  }
  const rows = await waitFor(() => {
    const found = query(duet.ledgerPath, 'SELECT * FROM shadow ORDER BY finished_at_ms');
    return found.length === 3 ? found : null;
  }, 'three shadow rows');
  // A running credit: the 2nd, 4th and 6th eligible answers.
  assert.deepEqual(rows.map((row) => row.request_id).sort(), [ids[1], ids[3], ids[5]].sort());
  for (const row of rows) {
    assert.equal(row.task, 'writing/first_draft');
    assert.equal(row.local_model, 'tiny');
    assert.equal(row.claude_model, 'claude-haiku-4-5');
    assert.equal(row.judge, 'claude-haiku-4-5');
    assert.ok(['same', 'different', 'unsure'].includes(row.verdict), row.verdict);
    assert.ok(row.cost_usd > 0);
    assert.ok(row.input_tokens > 0 && row.output_tokens > 0);
  }
  const sent = await simMessages();
  const judged = sent.filter(isJudge);
  const shadowed = sent.filter((request) => !isJudge(request));
  assert.equal(shadowed.length, 3);
  assert.equal(judged.length, 3);
  for (const request of shadowed) {
    const body = JSON.parse(request.body);
    assert.match(JSON.stringify(body.messages), /draft a short note to the team about Friday/);
  }
  // The local answers themselves are still local rows.
  for (const id of ids) {
    const [row] = await waitFor(() => {
      const found = query(duet.ledgerPath, `SELECT * FROM requests WHERE request_id = '${id}'`);
      return found.length ? found : null;
    }, `the row of ${id}`);
    assert.equal(row.backend, 'llama');
  }
});

test('duet report shows the shadow evaluations per task', async () => {
  const report = JSON.parse(execFileSync(process.env.DUET_BIN,
    ['report', '--json', '--ledger', duet.ledgerPath], { encoding: 'utf8' }));
  assert.equal(report.shadow.evaluations, 3);
  assert.ok(report.shadow.cost_usd > 0);
  const draft = report.route_mix.find((mix) => mix.task === 'first_draft');
  assert.ok(draft, 'first_draft is in the route mix');
  assert.equal(draft.shadow_judged, report.shadow.same + report.shadow.different);
  assert.ok(report.totals.total_cost_usd >= report.totals.spend_usd + report.shadow.cost_usd - 1e-12);
});

test('sensitive requests are never shadowed', async () => {
  const before = (await simMessages()).length;
  const shadowBefore = query(duet.ledgerPath, 'SELECT * FROM shadow').length;
  for (let i = 0; i < 4; i++) {
    const { response } = await anthropic.messages
      .create(ask(`my SSN is 536-22-847${i}, draft a short note to HR`))
      .withResponse();
    assert.equal(response.headers.get('x-duet-sensitive'), 'yes');
  }
  await new Promise((resolve) => setTimeout(resolve, 300));  // time for a shadow to start
  assert.equal((await simMessages()).length, before);
  assert.equal(query(duet.ledgerPath, 'SELECT * FROM shadow').length, shadowBefore);
  assert.ok(!JSON.stringify(await simMessages()).includes('536-22-847'));
});

test('duet/polish with review: the local model reviews Claude\'s version', async () => {
  const { response } = await anthropic.messages
    .create(ask('draft a short note to the team about Monday', { model: 'duet/polish' }))
    .withResponse();
  assert.equal(response.headers.get('x-duet-workflow'), 'polish');
  assert.equal(response.headers.get('x-duet-backend'), 'anthropic');
  assert.match(response.headers.get('x-duet-local-attempt'), /^tiny; \d+ output tokens; /);
  const review = response.headers.get('x-duet-review');
  assert.ok(['agree', 'disagree', 'unsure'].includes(review), review);
  const [row] = await waitFor(() => {
    const found = query(duet.ledgerPath,
      `SELECT * FROM requests WHERE request_id = '${response.headers.get('request-id')}'`);
    return found.length ? found : null;
  }, 'the polish row');
  assert.equal(row.review, review);
  assert.equal(row.workflow, 'polish');
});

test('the shadow\'s monthly cap stops shadow calls', async () => {
  const config = writeConfig('capped.toml', [
    '[policy.escalation]', 'enabled = false',
    '[policy.shadow]', 'enabled = true', 'sample_rate = 1.0', 'judge = "haiku"',
    'monthly_usd = 0.0000001',
  ]);
  const capped = await startTinyDuetWithSim(sim.baseUrl, API_KEY, ['--config', config]);
  try {
    const client = new Anthropic({ apiKey: 'client', baseURL: capped.baseUrl, maxRetries: 0 });
    const before = (await simMessages()).length;
    for (let i = 0; i < 3; i++) {
      await client.messages.create(ask(`draft a short note to the team, take ${i}`));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await simMessages()).length, before);
    assert.equal(query(capped.ledgerPath, 'SELECT * FROM shadow').length, 0);
  } finally {
    await capped.stop();
  }
});
