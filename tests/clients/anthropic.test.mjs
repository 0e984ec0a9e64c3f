// The official Anthropic TypeScript SDK against duet's /v1/messages,
// answered by the scripted backend (behaviour: tests/support/scripted_backend.h).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

import {
  rejection,
  scriptedInputTokens,
  scriptedOutputTokens,
  useServer,
} from './server.mjs';

const MODEL = 'scripted-1';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

let client;
useServer((baseUrl) => {
  client = new Anthropic({ apiKey: 'test-key', baseURL: baseUrl, maxRetries: 0 });
});

describe('messages.create', () => {
  test('answers with the echo and exactly predicted usage', async () => {
    const system = 'Be terse.';
    const text = 'Hello there, duet';
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 256,
      system,
      messages: [{ role: 'user', content: text }],
    });
    const expected = `You said: ${text}`;
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, MODEL);
    assert.match(message.id, /^msg_/);
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0].type, 'text');
    assert.equal(message.content[0].text, expected);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
    assert.equal(message.usage.input_tokens, scriptedInputTokens(system, text));
    assert.equal(message.usage.output_tokens, scriptedOutputTokens(expected));
  });

  test('max_tokens cuts the answer', async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 3,
      messages: [{ role: 'user', content: '[[words:10]]' }],
    });
    assert.equal(message.content[0].text, 'w1 w2 w3 ');
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 3);
  });

  test('a stop sequence ends the answer before it', async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      stop_sequences: ['w4'],
      messages: [{ role: 'user', content: '[[words:10]]' }],
    });
    assert.equal(message.content[0].text, 'w1 w2 w3 ');
    assert.equal(message.stop_reason, 'stop_sequence');
    assert.equal(message.stop_sequence, 'w4');
  });

  test('thinking block comes first, with its signature', async () => {
    const text = '[[think]] Why is the sky blue?';
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 2048,
      messages: [{ role: 'user', content: text }],
    });
    assert.deepEqual(message.content.map((block) => block.type), ['thinking', 'text']);
    assert.equal(message.content[0].thinking, 'Let me think about that.');
    assert.equal(message.content[0].signature, 'sig-scripted');
    assert.equal(message.content[1].text, 'You said: Why is the sky blue?');
    assert.equal(message.usage.output_tokens,
      scriptedOutputTokens('Let me think about that.', 'You said: Why is the sky blue?'));
  });

  test('refusal has an empty text block', async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: '[[refuse]]' }],
    });
    assert.equal(message.stop_reason, 'refusal');
    assert.deepEqual(message.content.map((block) => block.text), ['']);
  });
});

describe('messages.stream', () => {
  test('streams text deltas and ends with the same message', async () => {
    const text = 'stream this please';
    const expected = `You said: ${text}`;
    const deltas = [];
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: text }],
    });
    stream.on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();
    assert.deepEqual(deltas, ['You ', 'said: ', 'stream ', 'this ', 'please']);
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0].text, expected);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.input_tokens, scriptedInputTokens(text));
    assert.equal(message.usage.output_tokens, scriptedOutputTokens(expected));
  });

  test('raw events arrive in the documented order', async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: '[[words:2]]' }],
    });
    const types = [];
    for await (const event of stream) {
      types.push(event.type);
    }
    assert.deepEqual(types, [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  test('thinking and signature deltas reach the stream helpers', async () => {
    let thinking = '';
    let signature = '';
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 2048,
      messages: [{ role: 'user', content: '[[think]] hi' }],
    });
    stream.on('thinking', (delta) => {
      thinking += delta;
    });
    stream.on('signature', (value) => {
      signature = value;
    });
    const message = await stream.finalMessage();
    assert.equal(thinking, 'Let me think about that.');
    assert.equal(signature, 'sig-scripted');
    assert.equal(message.content[0].type, 'thinking');
    assert.equal(message.content[1].text, 'You said: hi');
  });

  test('tool input arrives as JSON fragments and parses to the object', async () => {
    const fragments = [];
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user', content: '[[tool:get_weather {"city":"Paris"}]]' }],
    });
    stream.on('inputJson', (fragment) => fragments.push(fragment));
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.content[1].type, 'tool_use');
    assert.deepEqual(message.content[1].input, { city: 'Paris' });
    assert.equal(fragments.join(''), '{"city":"Paris"}');
    assert.ok(fragments.length >= 3, `expected several fragments, got ${fragments.length}`);
  });

  test('a mid-stream error rejects with overloaded_error', async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: '[[midstream-error]] [[words:10]]' }],
    });
    const texts = [];
    stream.on('text', (delta) => texts.push(delta));
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.error?.error?.type, 'overloaded_error');
    assert.match(error.message, /Overloaded/);
    assert.deepEqual(texts, ['w1 ', 'w2 ', 'w3 ']);
  });
});

describe('tool use', () => {
  test('round trip: tool_use, then tool_result answered', async () => {
    const question = '[[tool:get_weather {"city":"Paris"}]]';
    const first = await client.messages.create({
      model: MODEL,
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user', content: question }],
    });
    assert.equal(first.stop_reason, 'tool_use');
    assert.equal(first.content[0].type, 'text');
    assert.equal(first.content[0].text, 'Calling get_weather.');
    const call = first.content[1];
    assert.equal(call.type, 'tool_use');
    assert.equal(call.name, 'get_weather');
    assert.match(call.id, /^toolu_/);
    assert.deepEqual(call.input, { city: 'Paris' });

    const result = '18C, sunny';
    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: call.id, content: result }],
        },
      ],
    });
    assert.equal(second.stop_reason, 'end_turn');
    assert.equal(second.content[0].text, `You said: ${result}`);
    assert.equal(second.usage.input_tokens, scriptedInputTokens(
      question, 'Calling get_weather.', JSON.stringify(call.input), result));
  });

  test('several tool directives are parallel tool_use blocks', async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [{
        role: 'user',
        content: '[[tool:get_weather {"city":"Paris"}]] [[tool:get_weather {"city":"Oslo"}]]',
      }],
    });
    const calls = message.content.filter((block) => block.type === 'tool_use');
    assert.deepEqual(calls.map((call) => call.input), [{ city: 'Paris' }, { city: 'Oslo' }]);
    assert.notEqual(calls[0].id, calls[1].id);
  });
});

describe('count_tokens and models', () => {
  test('countTokens follows the documented rule', async () => {
    const system = 'You are a counting test.';
    const text = 'How many tokens is this sentence, exactly?';
    const count = await client.messages.countTokens({
      model: MODEL,
      system,
      messages: [{ role: 'user', content: text }],
    });
    assert.equal(count.input_tokens, scriptedInputTokens(system, text));
  });

  test('models.list includes both scripted models', async () => {
    const ids = [];
    for await (const model of client.models.list()) {
      ids.push(model.id);
      assert.equal(model.type, 'model');
    }
    assert.ok(ids.includes('scripted-1'), `models: ${ids}`);
    assert.ok(ids.includes('scripted-2'), `models: ${ids}`);
  });
});

describe('errors', () => {
  test('unknown model is NotFoundError 404', async () => {
    const error = await rejection(client.messages.create({
      model: 'no-such-model',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    }));
    assert.ok(error instanceof Anthropic.NotFoundError, `got ${error}`);
    assert.equal(error.status, 404);
    assert.equal(error.error?.error?.type, 'not_found_error');
    assert.match(error.error?.error?.message ?? '', /no-such-model/);
  });

  test('backend unavailable is 529 overloaded_error', async () => {
    const error = await rejection(client.messages.create({
      model: MODEL,
      max_tokens: 16,
      messages: [{ role: 'user', content: '[[error:unavailable]]' }],
    }));
    assert.ok(error instanceof Anthropic.APIError, `got ${error}`);
    assert.equal(error.status, 529);
    assert.equal(error.error?.error?.type, 'overloaded_error');
  });

  test('an error before the first event keeps its HTTP status when streaming', async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 16,
      messages: [{ role: 'user', content: '[[error:resource_exhausted]]' }],
    });
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof Anthropic.RateLimitError, `got ${error}`);
    assert.equal(error.status, 429);
    assert.equal(error.error?.error?.type, 'rate_limit_error');
  });

  test('malformed request is BadRequestError 400', async () => {
    const error = await rejection(client.messages.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'no max_tokens here' }],
    }));
    assert.ok(error instanceof Anthropic.BadRequestError, `got ${error}`);
    assert.equal(error.status, 400);
    assert.equal(error.error?.error?.type, 'invalid_request_error');
  });
});
