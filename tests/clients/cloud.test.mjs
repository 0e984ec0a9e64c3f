// Claude through duet: the official SDKs talk to the real duet server, whose
// Anthropic upstream is `duet sim` (the Claude simulator,
// src/sim/claude_simulator.h) and whose fallback is the generated tiny local
// model. Checked: answers and usage passed through, the OpenAI translation,
// every fault's client-visible outcome with and without fallback, retry-after,
// what duet sends upstream (key, headers, shaping), the circuit breaker once
// Claude is offline, and that the API key never leaks.
//
// The tiny model's text is random noise: fallback answers are recognised by
// their headers (x-duet-backend, x-duet-fallback) and model, never by text.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { exitedCleanly, rejection, startDuet, startSimulator } from './server.mjs';

const TINY_MODEL = process.env.DUET_TINY_MODEL;
if (!TINY_MODEL) {
  throw new Error('DUET_TINY_MODEL is not set (ctest sets it to the generated model)');
}

// The key duet holds for Claude. Distinctive, so a leak anywhere is found.
const API_KEY = 'sk-ant-test-DO-NOT-LEAK-1234';
// What the SDK clients send duet; duet must not forward it.
const CLIENT_KEY = 'duet-client-key';
const VERSION = '2023-06-01';
const HAIKU = 'claude-haiku-4-5';
const SONNET = 'claude-sonnet-4-5';
// 36 characters: the simulator streams them as text deltas of 16, 16 and 4.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};
const WEATHER_FUNCTION = {
  type: 'function',
  function: {
    name: WEATHER_TOOL.name,
    description: WEATHER_TOOL.description,
    parameters: WEATHER_TOOL.input_schema,
  },
};
const PARIS = { city: 'Paris' };
const TOOL_TURN = { content: [{ type: 'tool_use', name: 'get_weather', input: PARIS }] };
// Non-ASCII on purpose: the result must reach Claude intact.
const TOOL_RESULT = 'Paris: 18°C, light rain — umbrella advised';

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

// Every response duet sent the SDK clients and every error they raised, for
// the leak check at the end.
const seen = [];
async function recordingFetch(url, init) {
  const response = await fetch(url, init);
  seen.push({
    url: String(url),
    headers: response.headers,
    // Read alongside the SDK; a stream cut mid-way keeps what arrived.
    body: response.clone().text().catch((error) => `(cut: ${error.message})`),
  });
  return response;
}
// rejection() that also keeps the error's message and body for that check.
async function failure(promise) {
  const error = await rejection(promise);
  seen.push({
    url: 'error',
    headers: new Headers(),
    body: `${error.message} ${JSON.stringify(error.error ?? null)}`,
  });
  return error;
}

// duet serve against the simulator at `simUrl`, debug logs on.
async function startCloudDuet(simUrl, extraArgs = []) {
  return startDuet([
    '--log-level', 'debug',
    '--model', `tiny=${TINY_MODEL}`,
    '--set', 'local.context=512',
    '--set', 'local.threads=1',
    '--set', `anthropic.base_url=${simUrl}`,
    '--set', 'anthropic.retry_budget_ms=5000',
    ...extraArgs,
  ], { env: { ANTHROPIC_API_KEY: API_KEY } });
}

function anthropicClient(baseUrl, defaultHeaders = {}) {
  return new Anthropic({
    apiKey: CLIENT_KEY,
    baseURL: baseUrl,
    maxRetries: 0,
    fetch: recordingFetch,
    defaultHeaders,
  });
}

function openaiClient(baseUrl, defaultHeaders = {}) {
  return new OpenAI({
    apiKey: CLIENT_KEY,
    baseURL: `${baseUrl}/v1`,
    maxRetries: 0,
    fetch: recordingFetch,
    defaultHeaders,
  });
}

// Calls a /_sim control endpoint of the simulator at `simUrl`.
async function control(simUrl, method, path, body) {
  const response = await fetch(`${simUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${method} ${path}: ${text}`);
  return JSON.parse(text);
}

// The header `name` of a recorded request (names compared case-insensitively).
function recordedHeader(recorded, name) {
  const entry = Object.entries(recorded.headers)
    .find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

// The text of a tool_result's content, a string or text blocks.
function textOf(content) {
  return typeof content === 'string' ? content : content.map((block) => block.text).join('');
}

// The main simulator and duet; the offline suite starts its own pair.
const duets = [];
let sim;
let duet;
let anthropic;
let openai;
let strictAnthropic;  // x-duet-fallback: never as a default header

before(async () => {
  sim = await startSimulator(['--api-key', API_KEY]);
  // The fault tests fail upstream on purpose many times in a row; a breaker
  // opened by them would hide the faults that follow (the offline suite
  // checks the breaker at its default).
  duet = await startCloudDuet(sim.baseUrl, ['--set', 'anthropic.breaker_failures=1000']);
  duets.push(duet);
  anthropic = anthropicClient(duet.baseUrl);
  openai = openaiClient(duet.baseUrl);
  strictAnthropic = anthropicClient(duet.baseUrl, { 'x-duet-fallback': 'never' });
});

after(async () => {
  for (const [name, server] of [['simulator', sim], ...duets.map((d) => ['duet', d])]) {
    const exit = await server?.stop();
    if (exit) {
      assert.ok(exitedCleanly(exit), `${name} did not exit cleanly: ${JSON.stringify(exit)}`);
    }
  }
});

beforeEach(async () => {
  if (sim) {
    await control(sim.baseUrl, 'POST', '/_sim/reset');
  }
});

const simControl = (method, path, body) => control(sim.baseUrl, method, path, body);
// The /v1/messages requests the main simulator received, oldest first.
async function upstreamMessages() {
  return (await simControl('GET', '/_sim/requests'))
    .filter((request) => request.path === '/v1/messages');
}

function ask(model, text, extra = {}) {
  return { model, max_tokens: 256, messages: [{ role: 'user', content: text }], ...extra };
}

function assertFromClaude(headers) {
  assert.equal(headers.get('x-duet-backend'), 'anthropic');
  assert.equal(headers.get('x-duet-fallback'), null);
}

// A fallback answer: the local model, with the reason naming Claude's failure.
function assertFallback(headers, reason) {
  assert.equal(headers.get('x-duet-backend'), 'llama');
  const note = headers.get('x-duet-fallback') ?? '';
  assert.match(note, /^anthropic: /);
  assert.match(note, reason);
}

describe('Anthropic SDK -> duet -> Claude', () => {
  test('create: the upstream answer with its exact usage', async () => {
    const system = 'Be terse.';
    const text = 'Hello from the cloud test';
    const { data: message, response } = await anthropic.messages
      .create(ask(HAIKU, text, { system }))
      .withResponse();
    assertFromClaude(response.headers);
    assert.equal(message.model, HAIKU);
    assert.match(message.id, /^msg_/);
    assert.deepEqual(message.content.map((block) => [block.type, block.text]), [['text', text]]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.input_tokens, simTokens(system, text));
    assert.equal(message.usage.output_tokens, simTokens(text));
  });

  test('stream: finalMessage gathers the streamed answer', async () => {
    const stream = anthropic.messages.stream(ask(HAIKU, ALPHABET));
    const texts = [];
    stream.on('text', (delta) => texts.push(delta));
    const message = await stream.finalMessage();
    const { response } = await stream.withResponse();
    assertFromClaude(response.headers);
    assert.equal(texts.join(''), ALPHABET);
    assert.ok(texts.length >= 2, `deltas: ${JSON.stringify(texts)}`);
    assert.equal(message.content[0].text, ALPHABET);
    assert.equal(message.model, HAIKU);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.input_tokens, simTokens(ALPHABET));
    assert.equal(message.usage.output_tokens, simTokens(ALPHABET));
  });

  test('tool use round trip: the tool_result reaches Claude intact', async () => {
    await simControl('POST', '/_sim/script', [TOOL_TURN]);
    const prompt = 'What is the weather in Paris?';
    const first = await anthropic.messages.create(ask(HAIKU, prompt, { tools: [WEATHER_TOOL] }));
    assert.equal(first.stop_reason, 'tool_use');
    const call = first.content.find((block) => block.type === 'tool_use');
    assert.ok(call, `no tool_use in ${JSON.stringify(first.content)}`);
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.input, PARIS);
    assert.match(call.id, /^toolu_/);

    const second = await anthropic.messages.create({
      model: HAIKU,
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: prompt },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: call.id, content: TOOL_RESULT }],
        },
      ],
    });
    // With no text in the last message the simulator echoes the result.
    assert.equal(second.content[0].text, TOOL_RESULT);
    assert.equal(second.usage.input_tokens, simTokens(prompt, call.name, JSON.stringify(PARIS),
      TOOL_RESULT, WEATHER_TOOL.name, WEATHER_TOOL.description,
      JSON.stringify(WEATHER_TOOL.input_schema)));

    const recorded = await upstreamMessages();
    assert.equal(recorded.length, 2);
    const body = JSON.parse(recorded[1].body);
    assert.equal(body.messages.length, 3);
    const used = body.messages[1].content.find((block) => block.type === 'tool_use');
    assert.deepEqual([used.id, used.name, used.input], [call.id, 'get_weather', PARIS]);
    const last = body.messages[2];
    assert.equal(last.role, 'user');
    assert.equal(last.content.length, 1);
    assert.equal(last.content[0].type, 'tool_result');
    assert.equal(last.content[0].tool_use_id, call.id);
    assert.equal(textOf(last.content[0].content), TOOL_RESULT);
    assert.deepEqual(body.tools, [WEATHER_TOOL]);
  });
});

describe('OpenAI SDK -> duet -> Claude', () => {
  test('create: text, finish_reason and usage mapped', async () => {
    const system = 'Answer in one line.';
    const text = 'Hello through the OpenAI API';
    const { data: completion, response } = await openai.chat.completions.create({
      model: SONNET,
      max_tokens: 256,
      messages: [{ role: 'system', content: system }, { role: 'user', content: text }],
    }).withResponse();
    assertFromClaude(response.headers);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, SONNET);
    assert.equal(completion.choices[0].message.role, 'assistant');
    assert.equal(completion.choices[0].message.content, text);
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.usage.prompt_tokens, simTokens(system, text));
    assert.equal(completion.usage.completion_tokens, simTokens(text));
    assert.equal(completion.usage.total_tokens,
      completion.usage.prompt_tokens + completion.usage.completion_tokens);
  });

  test('a system prompt alone is answered: it reaches Claude as the user message', async () => {
    // OpenAI models answer a request of only system or developer messages;
    // Claude needs a message, so duet sends the system prompt as it.
    const instruction = 'Reply with a greeting for the team.';
    const { data: completion, response } = await openai.chat.completions.create({
      model: SONNET,
      max_tokens: 64,
      messages: [{ role: 'developer', content: instruction }],
    }).withResponse();
    assertFromClaude(response.headers);
    assert.equal(completion.choices[0].message.content, instruction);  // the simulator echoes it
    assert.equal(completion.usage.prompt_tokens, simTokens(instruction));
  });

  test('stream: chunks add up to the answer, usage last', async () => {
    const { data: stream, response } = await openai.chat.completions.create({
      model: SONNET,
      messages: [{ role: 'user', content: ALPHABET }],
      stream: true,
      stream_options: { include_usage: true },
    }).withResponse();
    assertFromClaude(response.headers);
    let text = '';
    let finish = null;
    let usage = null;
    for await (const chunk of stream) {
      assert.equal(chunk.model, SONNET);
      if (chunk.choices.length > 0) {
        text += chunk.choices[0].delta.content ?? '';
        finish = chunk.choices[0].finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, ALPHABET);
    assert.equal(finish, 'stop');
    assert.equal(usage.prompt_tokens, simTokens(ALPHABET));
    assert.equal(usage.completion_tokens, simTokens(ALPHABET));
  });

  test('tool_calls: JSON arguments, then the tool message reaches Claude', async () => {
    await simControl('POST', '/_sim/script', [TOOL_TURN]);
    const question = { role: 'user', content: 'Weather in Paris?' };
    const completion = await openai.chat.completions.create({
      model: SONNET, tools: [WEATHER_FUNCTION], messages: [question],
    });
    const choice = completion.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls.length, 1);
    const [call] = choice.message.tool_calls;
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.equal(typeof call.function.arguments, 'string');
    assert.deepEqual(JSON.parse(call.function.arguments), PARIS);

    const answer = await openai.chat.completions.create({
      model: SONNET,
      tools: [WEATHER_FUNCTION],
      messages: [question, choice.message,
        { role: 'tool', tool_call_id: call.id, content: TOOL_RESULT }],
    });
    assert.equal(answer.choices[0].message.content, TOOL_RESULT);
    const recorded = await upstreamMessages();
    assert.equal(recorded.length, 2);
    const body = JSON.parse(recorded[1].body);
    const used = body.messages[1].content.find((block) => block.type === 'tool_use');
    assert.deepEqual([used.id, used.name, used.input], [call.id, 'get_weather', PARIS]);
    const result = body.messages.at(-1).content.find((block) => block.type === 'tool_result');
    assert.equal(result.tool_use_id, call.id);
    assert.equal(textOf(result.content), TOOL_RESULT);
  });

  test('stream: a tool call arrives as argument fragments', async () => {
    await simControl('POST', '/_sim/script', [TOOL_TURN]);
    const stream = openai.chat.completions.stream({
      model: SONNET, tools: [WEATHER_FUNCTION], messages: [{ role: 'user', content: 'Paris?' }],
    });
    const completion = await stream.finalChatCompletion();
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
    const [call] = completion.choices[0].message.tool_calls;
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), PARIS);
  });
});

// Each upstream fault, as the simulator answers it; `reason` is what the
// fallback note and the error message carry. retry-after-ms 1 keeps duet's
// two retries from waiting out its backoff.
const RETRIED_FAULTS = [
  { fault: 'overloaded', anthropicStatus: 529, openaiStatus: 503, type: 'overloaded_error',
    openaiType: 'server_error', reason: /Overloaded/ },
  { fault: 'api_error', anthropicStatus: 500, openaiStatus: 500, type: 'api_error',
    openaiType: 'server_error', reason: /Internal server error/ },
  { fault: 'rate_limit', anthropicStatus: 429, openaiStatus: 429, type: 'rate_limit_error',
    openaiType: 'rate_limit_error', reason: /rate limit/ },
  { fault: 'timeout', anthropicStatus: 504, openaiStatus: 504, type: 'timeout_error',
    openaiType: 'server_error', reason: /timed out/ },
];

describe('faults', () => {
  for (const spec of RETRIED_FAULTS) {
    const prompt = `hi\n${directive({ fault: spec.fault, retry_after_ms: 1 })}`;

    test(`${spec.fault}: retried, then answered by the local model`, async () => {
      const { data: message, response } = await anthropic.messages
        .create(ask(HAIKU, prompt, { max_tokens: 8 }))
        .withResponse();
      assert.equal(response.status, 200);
      assertFallback(response.headers, spec.reason);
      assert.equal(message.model, 'tiny');
      assert.equal(message.type, 'message');
      // The first attempt and max_retries (2) more.
      assert.equal((await upstreamMessages()).length, 3);

      const { data: completion, response: openaiResponse } = await openai.chat.completions
        .create(ask(SONNET, prompt, { max_tokens: 8 }))
        .withResponse();
      assertFallback(openaiResponse.headers, spec.reason);
      assert.equal(completion.model, 'tiny');
      assert.equal(completion.object, 'chat.completion');
    });

    test(`${spec.fault}: x-duet-fallback: never gives the upstream error`, async () => {
      const error = await failure(strictAnthropic.messages.create(ask(HAIKU, prompt)));
      assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
      assert.equal(error.status, spec.anthropicStatus);
      assert.equal(error.error?.type, 'error');
      assert.equal(error.error?.error?.type, spec.type);
      assert.match(error.error?.error?.message ?? '', spec.reason);
      assert.match(error.error?.request_id ?? '', /^req_/);
      assert.equal(error.headers.get('x-duet-fallback'), null);
      assert.equal((await upstreamMessages()).length, 3);

      // Per-request headers work as well as default ones.
      const openaiError = await failure(openai.chat.completions.create(
        ask(SONNET, prompt), { headers: { 'x-duet-fallback': 'never' } }));
      assert.ok(openaiError instanceof OpenAI.APIError, `got ${openaiError}`);
      assert.equal(openaiError.status, spec.openaiStatus);
      assert.equal(openaiError.type, spec.openaiType);
      assert.match(openaiError.message, spec.reason);
      assert.equal(openaiError.error?.param, null);
      if (spec.fault === 'rate_limit') {
        assert.equal(openaiError.code, 'rate_limit_exceeded');
        assert.ok(openaiError instanceof OpenAI.RateLimitError);
      }
    });
  }

  test('a streaming client gets the fallback as a stream', async () => {
    const prompt = `hi\n${directive({ fault: 'overloaded', retry_after_ms: 1 })}`;
    const stream = anthropic.messages.stream(ask(HAIKU, prompt, { max_tokens: 8 }));
    const message = await stream.finalMessage();
    const { response } = await stream.withResponse();
    assertFallback(response.headers, /Overloaded/);
    assert.equal(message.model, 'tiny');

    const { data: chunks, response: openaiResponse } = await openai.chat.completions.create({
      ...ask(SONNET, prompt, { max_tokens: 8 }), stream: true,
    }).withResponse();
    assertFallback(openaiResponse.headers, /Overloaded/);
    const models = new Set();
    for await (const chunk of chunks) {
      models.add(chunk.model);
    }
    assert.deepEqual([...models], ['tiny']);
  });

  test('the strict client streaming gets 529 before any event', async () => {
    const stream = strictAnthropic.messages.stream(
      ask(HAIKU, `hi\n${directive({ fault: 'overloaded', retry_after_ms: 1 })}`));
    const error = await failure(stream.finalMessage());
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.status, 529);
  });

  test('too_large is the request\'s fault: 413, no retry, no fallback', async () => {
    const prompt = `hi\n${directive({ fault: 'too_large' })}`;
    const error = await failure(anthropic.messages.create(ask(HAIKU, prompt)));
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.status, 413);
    assert.equal(error.error?.error?.type, 'request_too_large');
    assert.equal(error.headers.get('x-duet-fallback'), null);
    assert.equal((await upstreamMessages()).length, 1);

    const openaiError = await failure(openai.chat.completions.create(ask(SONNET, prompt)));
    assert.ok(openaiError instanceof OpenAI.APIError, `got ${openaiError}`);
    assert.equal(openaiError.status, 413);
    assert.equal(openaiError.type, 'invalid_request_error');
  });

  test('stream_error after some events: the stream fails, no fallback', async () => {
    const prompt = `hi\n${directive({ text: ALPHABET, fault: 'stream_error', after_events: 5 })}`;
    const stream = anthropic.messages.stream(ask(HAIKU, prompt));
    const texts = [];
    stream.on('text', (delta) => texts.push(delta));
    const error = await failure(stream.finalMessage());
    const { response } = await stream.withResponse();
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.error?.error?.type, 'overloaded_error');
    // message_start, content_block_start, ping, then two 16-byte deltas.
    assert.equal(texts.join(''), ALPHABET.slice(0, 32));
    assertFromClaude(response.headers);
    assert.equal((await upstreamMessages()).length, 1);

    const chunks = await openai.chat.completions.create({
      ...ask(SONNET, prompt), stream: true,
    });
    let text = '';
    const openaiError = await failure((async () => {
      for await (const chunk of chunks) {
        text += chunk.choices[0]?.delta.content ?? '';
      }
    })());
    assert.ok(openaiError instanceof OpenAI.APIError, `got ${openaiError}`);
    assert.equal(text, ALPHABET.slice(0, 32));
  });

  test('a failure part way, to a client that waits for the whole answer: the fallback answers',
    async () => {
      // duet streams from Claude even for a non-streamed request; the
      // client has been sent nothing when the stream fails, so the local
      // model's answer replaces the half-read one.
      const prompt = `hi\n${directive({ text: ALPHABET, fault: 'stream_error', after_events: 5 })}`;
      const { data: message, response } = await anthropic.messages
        .create(ask(HAIKU, prompt, { max_tokens: 8 }))
        .withResponse();
      assertFallback(response.headers, /Overloaded/);
      assert.equal(message.model, 'tiny');
      assert.ok(!message.content.some((block) => block.text?.includes(ALPHABET.slice(0, 16))));
      assert.equal((await upstreamMessages()).length, 1);  // no retry once answering began

      const { data: completion, response: openaiResponse } = await openai.chat.completions
        .create(ask(SONNET, prompt, { max_tokens: 8 }))
        .withResponse();
      assertFallback(openaiResponse.headers, /Overloaded/);
      assert.equal(completion.model, 'tiny');

      // Forbidden a fallback, the client gets the stream's error.
      const error = await failure(strictAnthropic.messages.create(ask(HAIKU, prompt)));
      assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
      assert.equal(error.status, 529);
      assert.equal(error.error?.error?.type, 'overloaded_error');
    });

  test('drop mid-stream: the stream fails, no retry', async () => {
    const stream = anthropic.messages.stream(ask(HAIKU,
      `hi\n${directive({ text: ALPHABET, fault: 'drop', after_events: 4 })}`));
    const texts = [];
    stream.on('text', (delta) => texts.push(delta));
    const error = await failure(stream.finalMessage());
    // duet turns the cut upstream into the API's in-stream error event.
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.error?.error?.type, 'overloaded_error');
    assert.equal(texts.join(''), ALPHABET.slice(0, 16));
    assert.equal((await upstreamMessages()).length, 1);
  });
});

describe('retries', () => {
  test('retry-after-ms is honoured before the retry', async () => {
    await simControl('POST', '/_sim/script',
      [{ fault: 'rate_limit', retry_after_ms: 400 }, { text: 'after the wait' }]);
    const started = performance.now();
    const { data: message, response } = await anthropic.messages
      .create(ask(HAIKU, 'hi'))
      .withResponse();
    const elapsed = performance.now() - started;
    assertFromClaude(response.headers);
    assert.equal(message.content[0].text, 'after the wait');
    assert.equal((await upstreamMessages()).length, 2);
    assert.ok(elapsed >= 400, `answered after ${elapsed} ms`);
  });
});

describe('what duet sends upstream', () => {
  test('its own key, anthropic-version, the client\'s betas, always streaming', async () => {
    const betas = ['context-1m-2025-08-07', 'interleaved-thinking-2025-05-14'];
    await anthropic.beta.messages.create({ ...ask(HAIKU, 'with betas'), betas });
    await anthropic.messages.create(ask(HAIKU, 'without betas'));
    await anthropic.messages.stream(ask(HAIKU, 'streamed')).finalMessage();
    await openai.chat.completions.create(ask(SONNET, 'from OpenAI'));

    const recorded = await upstreamMessages();
    assert.equal(recorded.length, 4);
    for (const request of recorded) {
      assert.equal(recordedHeader(request, 'x-api-key'), API_KEY);
      assert.equal(recordedHeader(request, 'authorization'), undefined);
      assert.equal(recordedHeader(request, 'anthropic-version'), VERSION);
      assert.equal(JSON.parse(request.body).stream, true, request.body);
    }
    assert.equal(recordedHeader(recorded[0], 'anthropic-beta'), betas.join(','));
    for (const request of recorded.slice(1)) {
      assert.equal(recordedHeader(request, 'anthropic-beta'), undefined);
    }
  });

  test('claude-sonnet-5: temperature, top_p and top_k are dropped', async () => {
    const sampling = { temperature: 0.3, top_p: 0.9, top_k: 40 };
    const { response } = await anthropic.messages
      .create(ask('claude-sonnet-5', 'fixed sampling', sampling))
      .withResponse();
    assertFromClaude(response.headers);
    await openai.chat.completions.create(
      ask('claude-sonnet-5', 'fixed sampling', { temperature: 0.3, top_p: 0.9 }));
    const recorded = await upstreamMessages();
    assert.equal(recorded.length, 2);
    for (const request of recorded) {
      const body = JSON.parse(request.body);
      assert.equal(body.model, 'claude-sonnet-5');
      for (const key of Object.keys(sampling)) {
        assert.equal(key in body, false, `${key} went upstream: ${request.body}`);
      }
    }
  });

  test('claude-opus-4-7: thinking "enabled" goes upstream as "adaptive"', async () => {
    const { response } = await anthropic.messages.create(ask('claude-opus-4-7', 'think', {
      max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 },
    })).withResponse();
    assertFromClaude(response.headers);
    const [request] = await upstreamMessages();
    const body = JSON.parse(request.body);
    assert.equal(body.thinking.type, 'adaptive');
    assert.equal('budget_tokens' in body.thinking, false, request.body);
  });
});

describe('Claude offline', () => {
  let offlineSim;
  let offlineDuet;
  before(async () => {
    offlineSim = await startSimulator(['--api-key', API_KEY]);
    // anthropic.breaker_failures at its default, 3.
    offlineDuet = await startCloudDuet(offlineSim.baseUrl);
    duets.push(offlineDuet);
  });
  after(async () => {
    await offlineSim?.stop();
  });

  test('the local model answers; after 3 failures Claude is not tried', async () => {
    const client = anthropicClient(offlineDuet.baseUrl);
    const request = ask(HAIKU, 'are you there?', { max_tokens: 8 });
    const online = await client.messages.create(request).withResponse();
    assertFromClaude(online.response.headers);

    const exit = await offlineSim.stop();
    assert.ok(exitedCleanly(exit), `simulator did not exit cleanly: ${JSON.stringify(exit)}`);

    // Three failed attempts (the first and two retries, with backoff).
    let started = performance.now();
    const first = await client.messages.create(request).withResponse();
    const tried = performance.now() - started;
    assertFallback(first.response.headers, /^anthropic: Claude: /);
    assert.doesNotMatch(first.response.headers.get('x-duet-fallback'), /not trying/);
    assert.equal(first.data.model, 'tiny');
    assert.ok(tried >= 1000, `three attempts with backoff took only ${tried} ms`);

    // The breaker is open now: no attempt, no backoff.
    const openai = openaiClient(offlineDuet.baseUrl);
    for (const send of [
      () => client.messages.create(request).withResponse(),
      () => openai.chat.completions.create(ask(SONNET, 'still there?', { max_tokens: 8 }))
        .withResponse(),
    ]) {
      started = performance.now();
      const { data, response } = await send();
      const elapsed = performance.now() - started;
      assertFallback(response.headers, /Claude is unreachable; not trying again/);
      assert.equal(data.model, 'tiny');
      assert.ok(elapsed < Math.min(1000, tried / 2), `took ${elapsed} ms (tried: ${tried} ms)`);
    }
  });
});

describe('secrets', () => {
  test('the API key is in no log line, response header or body', async () => {
    assert.ok(seen.length >= 30, `saw only ${seen.length} responses`);
    for (const server of duets) {
      const exit = await server.stop();
      assert.ok(exitedCleanly(exit), `duet did not exit cleanly: ${JSON.stringify(exit)}`);
      const output = server.output();
      // Debug logging was on and said something about Claude.
      assert.match(output, /Claude/);
      assert.ok(!output.includes(API_KEY), 'the API key is in duet\'s output');
      assert.ok(!output.includes('DO-NOT-LEAK'), 'part of the API key is in duet\'s output');
    }
    const texts = [];
    for (const { url, headers, body } of seen) {
      const lines = [...headers].map(([name, value]) => `${name}: ${value}`);
      const text = `${lines.join('\n')}\n${await body}`;
      assert.ok(!text.includes('DO-NOT-LEAK'), `the API key leaked to a client (${url}):\n${text}`);
      texts.push(text);
    }
    // The capture did see answers, fallbacks and errors.
    for (const expected of ['x-duet-backend: anthropic', 'x-duet-fallback: anthropic: ',
      '"model":"tiny"', 'overloaded_error', 'event: error']) {
      assert.ok(texts.some((text) => text.includes(expected)), `no response had ${expected}`);
    }
  });
});
