// The privacy guarantee end to end (issue 5): a request with sensitive data
// never reaches a cloud backend — not by routing, an explicit Claude model,
// the x-duet-route header, either API, streaming, a fallback or a retry —
// while the same requests without the data do reach Claude. The real duet
// serves the official SDKs, with `duet sim` as its Claude and the
// generated tiny model as its local side; the simulator's request log is
// the proof of what left.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { exitedCleanly, rejection, startDuet, startSimulator } from './server.mjs';

const TINY_MODEL = process.env.DUET_TINY_MODEL;
if (!TINY_MODEL) {
  throw new Error('DUET_TINY_MODEL is not set (ctest sets it to the generated model)');
}
const API_KEY = 'sk-ant-test-privacy-0001';
const SONNET = 'claude-sonnet-4-6';

// Each carries one kind of sensitive data the policy keeps local.
const SECRETS = {
  credential: "Before I push, is this config fine? AWS_SECRET_ACCESS_KEY = 'q7Vd2LmP0xR9sT4uW8yZ1aB3cE5fG6hJ7kK9nM2p'",
  email: 'Draft a reply to jana.novak@gmail.com saying the contract is ready.',
  card: 'My card 4539 5260 1815 9083 was charged twice, write a complaint.',
  marking: 'PRIVILEGED & CONFIDENTIAL - attorney-client communication. Summarise the risks.',
  medical: 'My patient Jana Novak (DOB 03/11/1961) has an eGFR of 38; is metformin still OK?',
};
// A fragment of each secret that must never appear upstream.
const NEEDLES = ['q7Vd2LmP0xR9', 'jana.novak@gmail.com', '4539 5260 1815 9083',
  'attorney-client', 'eGFR of 38'];

let sim;
let duet;
let anthropic;
let openai;

async function simRequests() {
  const response = await fetch(`${sim.baseUrl}/_sim/requests`);
  assert.equal(response.status, 200);
  return (await response.json()).filter((request) => request.path === '/v1/messages');
}

async function simControl(path, body) {
  const response = await fetch(`${sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

function ask(model, content, extra = {}) {
  return { model, max_tokens: 16, messages: [{ role: 'user', content }], ...extra };
}

before(async () => {
  sim = await startSimulator(['--api-key', API_KEY]);
  duet = await startDuet([
    '--model', `tiny=${TINY_MODEL}`,
    '--set', 'local.context=4096',
    '--set', 'local.threads=1',
    '--set', `anthropic.base_url=${sim.baseUrl}`,
    '--set', 'anthropic.retry_budget_ms=2000',
  ], { env: { ANTHROPIC_API_KEY: API_KEY } });
  anthropic = new Anthropic({ apiKey: 'client', baseURL: duet.baseUrl, maxRetries: 0 });
  openai = new OpenAI({ apiKey: 'client', baseURL: `${duet.baseUrl}/v1`, maxRetries: 0 });
});

after(async () => {
  for (const server of [duet, sim]) {
    const exit = await server?.stop();
    if (exit) {
      assert.ok(exitedCleanly(exit), JSON.stringify(exit));
    }
  }
});

describe('without sensitive data the cloud is reachable', () => {
  test('x-duet-route: cloud and an explicit Claude model reach the simulator', async () => {
    const before = (await simRequests()).length;
    const { response } = await anthropic.messages
      .create(ask('auto', 'Tell me about sourdough.'), { headers: { 'x-duet-route': 'cloud' } })
      .withResponse();
    assert.equal(response.headers.get('x-duet-side'), 'cloud');
    assert.equal(response.headers.get('x-duet-rule'), 'forced_side');
    assert.equal(response.headers.get('x-duet-sensitive'), 'no');
    const { response: named } = await anthropic.messages
      .create(ask(SONNET, 'Tell me about rye bread.')).withResponse();
    assert.equal(named.headers.get('x-duet-backend'), 'anthropic');
    assert.equal((await simRequests()).length, before + 2);
  });
});

describe('with sensitive data nothing leaves the machine', () => {
  for (const [kind, text] of Object.entries(SECRETS)) {
    test(`${kind}: by policy, explicit model, header, and the OpenAI API`, async () => {
      const attempts = [
        anthropic.messages.create(ask('auto', text)).withResponse(),
        anthropic.messages.create(ask(SONNET, text)).withResponse(),
        anthropic.messages.create(ask('auto', text), { headers: { 'x-duet-route': 'cloud' } })
          .withResponse(),
        openai.chat.completions.create(ask(SONNET, text)).withResponse(),
      ];
      for (const { response } of await Promise.all(attempts)) {
        assert.equal(response.headers.get('x-duet-side'), 'local');
        assert.equal(response.headers.get('x-duet-backend'), 'llama');
        assert.equal(response.headers.get('x-duet-sensitive'), 'yes');
        // The explanation names the kind of data, never the data.
        const reason = response.headers.get('x-duet-reason');
        assert.ok(NEEDLES.every((needle) => !reason.includes(needle)), reason);
      }
    });
  }

  test('in the system prompt, a tool result and an earlier turn, streamed', async () => {
    const stream = anthropic.messages.stream({
      model: SONNET,
      max_tokens: 16,
      system: `Support context: ${SECRETS.email}`,
      messages: [{ role: 'user', content: 'What should I answer?' }],
    });
    await stream.finalMessage();
    const toolTurn = await anthropic.messages.create({
      model: SONNET,
      max_tokens: 16,
      messages: [
        { role: 'user', content: 'Read the env file.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read', input: { path: '.env' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: SECRETS.credential }] },
      ],
    });
    assert.equal(toolTurn.model, 'tiny');
    const earlier = await anthropic.messages.create({
      model: SONNET,
      max_tokens: 16,
      messages: [
        { role: 'user', content: SECRETS.card },
        { role: 'assistant', content: 'Noted.' },
        { role: 'user', content: 'Now make it shorter.' },
      ],
    });
    assert.equal(earlier.model, 'tiny');
  });

  test('a failing Claude changes nothing: the queued fault is still there after', async () => {
    // One scripted fault waits at the simulator. The sensitive request
    // must not consume it; the next non-sensitive Claude request does, and
    // falls back to the local model.
    await simControl('/_sim/script', { fault: 'too_large' });
    const { response } = await anthropic.messages.create(ask(SONNET, SECRETS.marking)).withResponse();
    assert.equal(response.headers.get('x-duet-backend'), 'llama');
    const { response: next } = await anthropic.messages
      .create(ask(SONNET, 'Tell me about spelt.'))
      .withResponse()
      .catch((error) => ({ response: { headers: error.headers, status: error.status } }));
    assert.equal(next.status, 413);
  });

  test('too long for the local model: a clear error, not the cloud', async () => {
    const long = `${SECRETS.medical}\n${'lorem ipsum dolor sit amet '.repeat(1200)}`;
    const error = await rejection(anthropic.messages.create(ask('auto', long)));
    assert.equal(error.status, 400);
    assert.match(error.message, /context window/);
    assert.match(error.message, /cannot be sent to the cloud/);
    // Without the secret the same request goes to Claude.
    const { response } = await anthropic.messages
      .create(ask('auto', `Summarise:\n${'lorem ipsum dolor sit amet '.repeat(1200)}`))
      .withResponse();
    assert.equal(response.headers.get('x-duet-side'), 'cloud');
    assert.equal(response.headers.get('x-duet-rule'), 'exceeds_local_context');
  });

  test('the simulator never saw any of it', async () => {
    const recorded = await simRequests();
    assert.ok(recorded.length >= 3, `expected the non-sensitive requests: ${recorded.length}`);
    for (const request of recorded) {
      for (const needle of NEEDLES) {
        assert.ok(!request.body.includes(needle), `${needle} reached the cloud`);
      }
    }
  });
});
