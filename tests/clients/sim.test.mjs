// The official Anthropic TypeScript SDK against `duet sim`, the Claude
// simulator (src/sim/claude_simulator.h, protocols.md §1.16): answers and
// exact usage, streaming, every fault a test can script, auth and validation
// errors, the model catalogue, count_tokens and request recording.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

import { exitedCleanly, rejection, startSimulator } from './server.mjs';

const MODEL = 'claude-haiku-4-5';
const VERSION = '2023-06-01';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};
// 36 characters: streamed as text deltas of 16, 16 and 4 bytes.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

// The simulator's token rule (src/sim/sim_answer.h): max(1, ceil(C / 4)),
// C the Unicode characters of every counted part.
function simTokens(...parts) {
  const chars = parts.reduce((sum, part) => sum + [...part].length, 0);
  return Math.max(1, Math.ceil(chars / 4));
}

// A directive line asking the simulator for `turn` (src/sim/sim_turn.h).
function directive(turn) {
  return `sim: ${JSON.stringify(turn)}`;
}

// Starts a simulator with `extraArgs` for the tests of the enclosing suite
// and calls `onListening(baseUrl)` once it listens; stops it after them.
function useSimulator(onListening, extraArgs = []) {
  let sim;
  before(async () => {
    sim = await startSimulator(extraArgs);
    onListening(sim.baseUrl);
  });
  after(async () => {
    const exit = await sim?.stop();
    if (exit) {
      assert.ok(exitedCleanly(exit),
        `simulator did not exit cleanly after SIGTERM: ${JSON.stringify(exit)}`);
    }
  });
}

let simUrl;
let client;
useSimulator((url) => {
  simUrl = url;
  client = new Anthropic({ apiKey: 'test-key', baseURL: url, maxRetries: 0 });
});
const baseUrl = () => simUrl;

// Calls a /_sim control endpoint and returns its JSON answer.
async function control(method, path, body) {
  const response = await fetch(`${baseUrl()}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${method} ${path}: ${text}`);
  return JSON.parse(text);
}

// Fresh script, recordings and rate-limit counts for every test.
beforeEach(async () => {
  if (client) {
    await control('POST', '/_sim/reset');
  }
});

function ask(text, extra = {}) {
  return { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: text }], ...extra };
}

// The header `name` of a recorded request (names compared case-insensitively).
function recordedHeader(recorded, name) {
  const entry = Object.entries(recorded.headers)
    .find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

describe('messages.create', () => {
  test('echoes the last user message with exact usage', async () => {
    const system = 'Be terse.';
    const text = 'Hello there';
    const { data: message, response } = await client.messages
      .create(ask(text, { system }))
      .withResponse();
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, MODEL);
    assert.match(message.id, /^msg_/);
    assert.deepEqual(message.content.map((block) => [block.type, block.text]), [['text', text]]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
    // 9 + 11 characters in, 11 out.
    assert.equal(message.usage.input_tokens, 5);
    assert.equal(message.usage.output_tokens, 3);
    assert.equal(message.usage.input_tokens, simTokens(system, text));
    assert.match(response.headers.get('request-id') ?? '', /^req_/);
    assert.equal(response.headers.get('anthropic-ratelimit-requests-limit'), '1000');
    assert.equal(response.headers.get('anthropic-ratelimit-requests-remaining'), '999');
    assert.equal(response.headers.get('anthropic-ratelimit-input-tokens-remaining'),
      String(400_000 - 5));
    assert.match(response.headers.get('anthropic-ratelimit-requests-reset') ?? '',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('a directive scripts the answer and is not counted', async () => {
    const message = await client.messages.create(
      ask(`Question\n${directive({ text: 'Scripted reply', stop_reason: 'refusal' })}`));
    assert.deepEqual(message.content.map((block) => [block.type, block.text]),
      [['text', 'Scripted reply']]);
    assert.equal(message.stop_reason, 'refusal');
    assert.equal(message.usage.input_tokens, simTokens('Question'));
    assert.equal(message.usage.output_tokens, simTokens('Scripted reply'));
  });

  test('max_tokens cuts the answer', async () => {
    const message = await client.messages.create(ask('Hello there', { max_tokens: 2 }));
    assert.equal(message.content[0].text, 'Hello th');
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 2);
  });

  test('a stop sequence cuts the answer before it', async () => {
    const message = await client.messages.create(
      ask('alpha beta gamma', { stop_sequences: ['gamma', 'beta'] }));
    assert.equal(message.content[0].text, 'alpha ');
    assert.equal(message.stop_reason, 'stop_sequence');
    assert.equal(message.stop_sequence, 'beta');
  });

  test('queued turns answer requests in order', async () => {
    assert.deepEqual(await control('POST', '/_sim/script',
      [{ text: 'first scripted' }, { text: 'second scripted' }]), { queued: 2 });
    const first = await client.messages.create(ask('one'));
    const second = await client.messages.create(ask('two'));
    const third = await client.messages.create(ask('three'));
    assert.equal(first.content[0].text, 'first scripted');
    assert.equal(second.content[0].text, 'second scripted');
    assert.equal(third.content[0].text, 'three');
  });
});

describe('messages.stream', () => {
  test('a scripted tool_use turn streams to a parsed input object', async () => {
    const input = { city: 'Paris', days: 3 };
    const prompt = 'Look up the weather';
    const stream = client.messages.stream(ask(
      `${prompt}\n${directive({
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', name: 'get_weather', input },
        ],
      })}`,
      { tools: [WEATHER_TOOL] }));
    const fragments = [];
    stream.on('inputJson', (fragment) => fragments.push(fragment));
    const texts = [];
    stream.on('text', (delta) => texts.push(delta));
    const message = await stream.finalMessage();

    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.content.length, 2);
    assert.equal(message.content[0].type, 'text');
    assert.equal(message.content[0].text, 'Checking.');
    const call = message.content[1];
    assert.equal(call.type, 'tool_use');
    assert.equal(call.id, 'toolu_sim_1');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.input, input);
    assert.deepEqual(texts, ['Checking.']);
    // 7-byte fragments that cut through JSON tokens.
    assert.equal(fragments.join(''), JSON.stringify(input));
    assert.ok(fragments.length >= 4, `fragments: ${JSON.stringify(fragments)}`);
    assert.ok(fragments.includes(':"Paris'), `fragments: ${JSON.stringify(fragments)}`);
    assert.equal(message.usage.output_tokens, simTokens('Checking.', JSON.stringify(input)));
    assert.equal(message.usage.input_tokens, simTokens(prompt, WEATHER_TOOL.name,
      WEATHER_TOOL.description, JSON.stringify(WEATHER_TOOL.input_schema)));
  });

  test('thinking streams its text and signature first', async () => {
    const stream = client.messages.stream(ask('Why is the sky blue?', {
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    }));
    let thinking = '';
    let signature = '';
    stream.on('thinking', (delta) => {
      thinking += delta;
    });
    stream.on('signature', (value) => {
      signature = value;
    });
    const message = await stream.finalMessage();
    assert.deepEqual(message.content.map((block) => block.type), ['thinking', 'text']);
    assert.equal(thinking, 'Considering: Why is the sky blue?');
    assert.equal(message.content[0].thinking, thinking);
    assert.ok(signature.length > 0);
    assert.equal(message.content[0].signature, signature);
    assert.equal(message.content[1].text, 'Why is the sky blue?');
    assert.equal(message.usage.output_tokens,
      simTokens('Considering: Why is the sky blue?', 'Why is the sky blue?'));
  });

  test('the raw SSE follows §1.9, ping after the first block start', async () => {
    const response = await fetch(`${baseUrl()}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': 'test-key',
        'anthropic-version': VERSION,
        'content-type': 'application/json',
      },
      body: JSON.stringify(ask('Hello there', { stream: true })),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter((frame) => frame.trim())
      .map((frame) => {
        const name = /^event: (.*)$/m.exec(frame)?.[1];
        const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null');
        assert.equal(data?.type, name, `frame: ${frame}`);
        return data;
      });
    assert.deepEqual(events.map((event) => event.type), [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    assert.equal(events[0].message.usage.input_tokens, 3);
    assert.equal(events[0].message.usage.output_tokens, 1);
    assert.equal(events[3].delta.text, 'Hello there');
    assert.equal(events[5].delta.stop_reason, 'end_turn');
    assert.equal(events[5].usage.output_tokens, 3);
  });
});

describe('faults', () => {
  test('rate_limit is a 429 with retry-after and retry-after-ms', async () => {
    const error = await rejection(client.messages.create(ask(
      `hi\n${directive({ fault: 'rate_limit', retry_after: 7, retry_after_ms: 7000 })}`)));
    assert.ok(error instanceof Anthropic.RateLimitError, `got ${error}`);
    assert.equal(error.status, 429);
    assert.equal(error.error?.type, 'error');
    assert.equal(error.error?.error?.type, 'rate_limit_error');
    assert.match(error.error?.request_id ?? '', /^req_/);
    assert.equal(error.requestID, error.error?.request_id);
    assert.equal(error.headers.get('retry-after'), '7');
    assert.equal(error.headers.get('retry-after-ms'), '7000');
  });

  test('the SDK retries a scripted 429 after retry-after-ms', { timeout: 30_000 }, async () => {
    // retry-after alone would make the SDK wait 60 s, its default backoff
    // at most 0.5 s: only retry-after-ms gives between 1.2 and 30 s.
    await control('POST', '/_sim/script', [
      { fault: 'rate_limit', retry_after: 60, retry_after_ms: 1200 },
      { text: 'after the retry' },
    ]);
    const retrying = new Anthropic({ apiKey: 'test-key', baseURL: baseUrl(), maxRetries: 2 });
    const started = performance.now();
    const message = await retrying.messages.create(ask('hi'));
    const elapsed = performance.now() - started;
    assert.equal(message.content[0].text, 'after the retry');
    assert.ok(elapsed >= 1150, `retried after ${elapsed} ms`);
    assert.ok(elapsed < 30_000, `retried after ${elapsed} ms`);

    const recorded = (await control('GET', '/_sim/requests'))
      .filter((request) => request.path === '/v1/messages');
    assert.equal(recorded.length, 2);
    assert.equal(recordedHeader(recorded[0], 'x-stainless-retry-count'), '0');
    assert.equal(recordedHeader(recorded[1], 'x-stainless-retry-count'), '1');
  });

  test('overloaded is a 529 overloaded_error', async () => {
    const error = await rejection(client.messages.create(
      ask(`hi\n${directive({ fault: 'overloaded' })}`)));
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.status, 529);
    assert.equal(error.error?.error?.type, 'overloaded_error');
  });

  test('api_error is a 500', async () => {
    const error = await rejection(client.messages.create(
      ask(`hi\n${directive({ fault: 'api_error' })}`)));
    assert.ok(error instanceof Anthropic.InternalServerError, `got ${error}`);
    assert.equal(error.status, 500);
    assert.equal(error.error?.error?.type, 'api_error');
  });

  test('too_large is a 413 and timeout a 504', async () => {
    for (const [fault, status, type] of [
      ['too_large', 413, 'request_too_large'],
      ['timeout', 504, 'timeout_error'],
    ]) {
      const error = await rejection(client.messages.create(ask(`hi\n${directive({ fault })}`)));
      assert.ok(error instanceof Anthropic.APIError, `${fault}: got ${error}`);
      assert.equal(error.status, status, fault);
      assert.equal(error.error?.error?.type, type, fault);
    }
  });

  test('a scripted fault keeps its status when streaming', async () => {
    const stream = client.messages.stream(ask(`hi\n${directive({ fault: 'overloaded' })}`));
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.status, 529);
  });

  test('stream_error sends an error event after the first events', async () => {
    const stream = client.messages.stream(ask(
      `hi\n${directive({ text: ALPHABET, fault: 'stream_error', after_events: 5 })}`));
    const texts = [];
    stream.on('text', (delta) => texts.push(delta));
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.error?.error?.type, 'overloaded_error');
    assert.match(error.message, /Overloaded/);
    // message_start, content_block_start, ping, then two 16-byte deltas.
    assert.deepEqual(texts, ['abcdefghijklmnop', 'qrstuvwxyz012345']);
  });

  test('stream_error takes its error type from the turn', async () => {
    const stream = client.messages.stream(ask(
      `hi\n${directive({ fault: 'stream_error', error_type: 'api_error' })}`));
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.error?.error?.type, 'api_error');
  });

  test('drop closes the connection in the middle of a stream', async () => {
    const stream = client.messages.stream(ask(
      `hi\n${directive({ text: ALPHABET, fault: 'drop', after_events: 4 })}`));
    const texts = [];
    stream.on('text', (delta) => texts.push(delta));
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof Error, `got ${error}`);
    assert.deepEqual(texts, ['abcdefghijklmnop']);
  });

  test('drop without streaming is a connection error', async () => {
    const error = await rejection(client.messages.create(
      ask(`hi\n${directive({ fault: 'drop' })}`)));
    assert.ok(error instanceof Anthropic.APIConnectionError, `got ${error}`);
  });

  test('a slow stream still arrives whole', async () => {
    const stream = client.messages.stream(ask(
      `hi\n${directive({ text: ALPHABET, delay_ms: 20, first_byte_delay_ms: 50 })}`));
    const started = performance.now();
    const message = await stream.finalMessage();
    // 50 ms first, then 20 ms between each of 9 events.
    assert.ok(performance.now() - started >= 200, 'the delays were not applied');
    assert.equal(message.content[0].text, ALPHABET);
  });

  test('a bad script is refused with 400', async () => {
    const response = await fetch(`${baseUrl()}/_sim/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'explode' }),
    });
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /fault/);
  });
});

describe('auth and validation', () => {
  describe('with --api-key', () => {
    let keyedBaseUrl;
    useSimulator((url) => {
      keyedBaseUrl = url;
    }, ['--api-key', 'secret-key']);
    const keyedUrl = () => keyedBaseUrl;

    test('a wrong key is a 401 authentication_error', async () => {
      const wrong = new Anthropic({ apiKey: 'wrong-key', baseURL: keyedUrl(), maxRetries: 0 });
      const error = await rejection(wrong.messages.create(ask('hi')));
      assert.ok(error instanceof Anthropic.AuthenticationError, `got ${error}`);
      assert.equal(error.status, 401);
      assert.equal(error.error?.error?.type, 'authentication_error');
      assert.equal(error.error?.error?.message, 'invalid x-api-key');
      assert.match(error.error?.request_id ?? '', /^req_/);

      // The same through the x-api-key header.
      const response = await fetch(`${keyedUrl()}/v1/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': 'test-key',
          'anthropic-version': VERSION,
          'content-type': 'application/json',
        },
        body: JSON.stringify(ask('hi')),
      });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error.type, 'authentication_error');
    });

    test('the right key works from the SDK and as x-api-key', async () => {
      const right = new Anthropic({ apiKey: 'secret-key', baseURL: keyedUrl(), maxRetries: 0 });
      const message = await right.messages.create(ask('hi'));
      assert.equal(message.content[0].text, 'hi');

      const response = await fetch(`${keyedUrl()}/v1/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': 'secret-key',
          'anthropic-version': VERSION,
          'content-type': 'application/json',
        },
        body: JSON.stringify(ask('by header')),
      });
      assert.equal(response.status, 200);
      assert.equal((await response.json()).content[0].text, 'by header');
    });
  });

  test('a missing anthropic-version is a 400', async () => {
    const response = await fetch(`${baseUrl()}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'test-key', 'content-type': 'application/json' },
      body: JSON.stringify(ask('hi')),
    });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /json/);
    const body = await response.json();
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.message, 'anthropic-version: header is required');
    assert.match(body.request_id, /^req_/);
    assert.equal(response.headers.get('request-id'), body.request_id);
  });

  test('a missing key is a 401', async () => {
    const response = await fetch(`${baseUrl()}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': VERSION, 'content-type': 'application/json' },
      body: JSON.stringify(ask('hi')),
    });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.type, 'authentication_error');
  });

  test('an unknown model is a 404', async () => {
    const error = await rejection(client.messages.create({ ...ask('hi'), model: 'no-such-model' }));
    assert.ok(error instanceof Anthropic.NotFoundError, `got ${error}`);
    assert.equal(error.status, 404);
    assert.equal(error.error?.error?.type, 'not_found_error');
    assert.equal(error.error?.error?.message, 'model: no-such-model');
  });

  test('an unknown path is a 404 not_found_error', async () => {
    const response = await fetch(`${baseUrl()}/v1/complete`, {
      method: 'POST',
      headers: { 'x-api-key': 'test-key', 'anthropic-version': VERSION },
      body: '{}',
    });
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.type, 'not_found_error');
  });

  test('an unpaired tool_use is a 400', async () => {
    const error = await rejection(client.messages.create({
      model: MODEL,
      max_tokens: 64,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }],
        },
        { role: 'user', content: 'no result here' },
      ],
    }));
    assert.ok(error instanceof Anthropic.BadRequestError, `got ${error}`);
    assert.match(error.error?.error?.message ?? '', /toolu_1/);
  });
});

describe('models and count_tokens', () => {
  test('models.list pages through the whole catalogue', async () => {
    const whole = await client.models.list({ limit: 1000 });
    const all = whole.data.map((model) => model.id);
    assert.equal(whole.has_more, false);
    assert.equal(new Set(all).size, all.length, `duplicates in ${all}`);
    for (const id of ['claude-haiku-4-5', 'claude-haiku-4-5-20251001',
      'claude-sonnet-4-5-20250929', 'claude-opus-4-6', 'claude-sonnet-4-6']) {
      assert.ok(all.includes(id), `${id} missing from ${all}`);
    }

    const pages = [];
    for await (const page of (await client.models.list({ limit: 5 })).iterPages()) {
      pages.push(page);
    }
    assert.equal(pages.length, Math.ceil(all.length / 5));
    pages.forEach((page, i) => {
      const last = i === pages.length - 1;
      assert.equal(page.has_more, !last, `page ${i}`);
      assert.equal(page.data.length, last ? all.length - 5 * i : 5, `page ${i}`);
      assert.equal(page.first_id, page.data[0].id);
      assert.equal(page.last_id, page.data[page.data.length - 1].id);
    });
    assert.deepEqual(pages.flatMap((page) => page.data.map((model) => model.id)), all);

    const ids = [];
    for await (const model of client.models.list({ limit: 3 })) {
      assert.equal(model.type, 'model');
      ids.push(model.id);
    }
    assert.deepEqual(ids, all);
  });

  test('models.retrieve knows the context window', async () => {
    const model = await client.models.retrieve('claude-opus-4-6');
    assert.equal(model.id, 'claude-opus-4-6');
    assert.equal(model.type, 'model');
    assert.equal(model.max_input_tokens, 1_000_000);
    assert.equal(model.max_tokens, 128_000);
    const error = await rejection(client.models.retrieve('claude-nope'));
    assert.ok(error instanceof Anthropic.NotFoundError, `got ${error}`);
  });

  test('countTokens follows the documented rule', async () => {
    const system = 'You are a counting test.';
    const text = 'How many tokens is this sentence, exactly?';
    const count = await client.messages.countTokens({
      model: MODEL,
      system,
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user', content: text }],
    });
    assert.equal(count.input_tokens, simTokens(system, text, WEATHER_TOOL.name,
      WEATHER_TOOL.description, JSON.stringify(WEATHER_TOOL.input_schema)));
    // The same prompt answered costs the same input tokens.
    const message = await client.messages.create(ask(text, { system, tools: [WEATHER_TOOL] }));
    assert.equal(message.usage.input_tokens, count.input_tokens);
  });
});

describe('request recording', () => {
  test('records the anthropic-beta header and the body', async () => {
    const betas = ['context-1m-2025-08-07', 'output-128k-2025-02-19'];
    const prompt = `recorded\n${directive({ text: 'ok' })}`;
    const message = await client.beta.messages.create({
      model: MODEL,
      max_tokens: 64,
      temperature: 0.5,
      betas,
      messages: [{ role: 'user', content: prompt }],
    });
    assert.equal(message.content[0].text, 'ok');

    const recorded = await control('GET', '/_sim/requests');
    // Control calls are not recorded.
    assert.equal(recorded.length, 1);
    const [request] = recorded;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/messages');
    assert.equal(recordedHeader(request, 'anthropic-beta'), betas.join(','));
    // This SDK sends its key as a bearer token.
    const credential = recordedHeader(request, 'x-api-key') ??
      recordedHeader(request, 'authorization')?.replace(/^Bearer /, '');
    assert.equal(credential, 'test-key');
    assert.ok(recordedHeader(request, 'anthropic-version'));
    // The body as sent: betas travel in the header only, the directive stays.
    const body = JSON.parse(request.body);
    assert.deepEqual(body, {
      model: MODEL,
      max_tokens: 64,
      temperature: 0.5,
      messages: [{ role: 'user', content: prompt }],
    });

    await control('DELETE', '/_sim/requests');
    assert.deepEqual(await control('GET', '/_sim/requests'), []);
  });

  test('?beta=true is accepted and recorded as the query', async () => {
    const response = await fetch(`${baseUrl()}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'x-api-key': 'test-key',
        'anthropic-version': VERSION,
        'anthropic-beta': 'token-efficient-tools-2025-02-19',
        'content-type': 'application/json',
      },
      body: JSON.stringify(ask('beta query')),
    });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).content[0].text, 'beta query');
    const [request] = await control('GET', '/_sim/requests');
    assert.equal(request.path, '/v1/messages');
    assert.equal(request.query, 'beta=true');
    assert.equal(recordedHeader(request, 'anthropic-beta'), 'token-efficient-tools-2025-02-19');
  });
});
