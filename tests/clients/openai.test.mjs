// The official OpenAI Node SDK against duet's /v1/chat/completions, answered
// by the scripted backend (behaviour: tests/support/scripted_backend.h).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import {
  rejection,
  scriptedInputTokens,
  scriptedOutputTokens,
  useServer,
} from './server.mjs';

const MODEL = 'scripted-1';
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

let client;
useServer((baseUrl) => {
  client = new OpenAI({ apiKey: 'test-key', baseURL: `${baseUrl}/v1`, maxRetries: 0 });
});

// Reads a whole stream: content text, tool calls by index, finish reason,
// the usage chunk, and the chunks themselves.
async function drain(stream) {
  const result = { content: '', toolCalls: [], finishReason: null, usage: null, chunks: [] };
  for await (const chunk of stream) {
    result.chunks.push(chunk);
    if (chunk.usage) {
      result.usage = chunk.usage;
    }
    for (const choice of chunk.choices) {
      result.content += choice.delta?.content ?? '';
      for (const call of choice.delta?.tool_calls ?? []) {
        const slot = (result.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
        slot.id += call.id ?? '';
        slot.name += call.function?.name ?? '';
        slot.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) {
        result.finishReason = choice.finish_reason;
      }
    }
  }
  return result;
}

describe('chat.completions.create', () => {
  test('answers with the echo and exactly predicted usage', async () => {
    const system = 'Be terse.';
    const text = 'Hello there, duet';
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: text },
      ],
    });
    const expected = `You said: ${text}`;
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, MODEL);
    assert.equal(completion.choices.length, 1);
    assert.equal(completion.choices[0].message.role, 'assistant');
    assert.equal(completion.choices[0].message.content, expected);
    assert.equal(completion.choices[0].finish_reason, 'stop');
    const input = scriptedInputTokens(system, text);
    const output = scriptedOutputTokens(expected);
    assert.equal(completion.usage.prompt_tokens, input);
    assert.equal(completion.usage.completion_tokens, output);
    assert.equal(completion.usage.total_tokens, input + output);
  });

  test('max_completion_tokens gives finish_reason length', async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      max_completion_tokens: 2,
      messages: [{ role: 'user', content: '[[words:10]]' }],
    });
    assert.equal(completion.choices[0].message.content, 'w1 w2 ');
    assert.equal(completion.choices[0].finish_reason, 'length');
  });

  test('stop ends the answer before the stop string', async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      stop: ['w3'],
      messages: [{ role: 'user', content: '[[words:10]]' }],
    });
    assert.equal(completion.choices[0].message.content, 'w1 w2 ');
    assert.equal(completion.choices[0].finish_reason, 'stop');
  });
});

describe('streaming', () => {
  test('content deltas, then finish_reason, then the usage chunk', async () => {
    const text = 'stream this please';
    const expected = `You said: ${text}`;
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: text }],
    });
    const result = await drain(stream);
    assert.equal(result.content, expected);
    assert.equal(result.finishReason, 'stop');
    const last = result.chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
    const input = scriptedInputTokens(text);
    const output = scriptedOutputTokens(expected);
    assert.equal(last.usage.prompt_tokens, input);
    assert.equal(last.usage.completion_tokens, output);
    assert.equal(last.usage.total_tokens, input + output);
    for (const chunk of result.chunks) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.id, result.chunks[0].id, 'every chunk carries the same id');
    }
    assert.ok(result.chunks.slice(0, -1).every((chunk) => !chunk.usage),
      'only the last chunk carries usage');
  });

  test('without include_usage no chunk carries usage', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: '[[words:3]]' }],
    });
    const result = await drain(stream);
    assert.equal(result.content, 'w1 w2 w3');
    assert.equal(result.usage, null);
  });

  test('a mid-stream error makes the SDK throw', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: '[[midstream-error]] [[words:10]]' }],
    });
    let content = '';
    const error = await rejection((async () => {
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta?.content ?? '';
      }
    })());
    assert.ok(error instanceof OpenAI.APIError, `got ${error}`);
    assert.match(error.message, /Overloaded/);
    assert.equal(content, 'w1 w2 w3 ');
  });
});

describe('tool calls', () => {
  test('arguments are a JSON string of the input object', async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user', content: '[[tool:get_weather {"city":"Paris"}]]' }],
    });
    const choice = completion.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls.length, 1);
    const call = choice.message.tool_calls[0];
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.equal(typeof call.function.arguments, 'string');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.ok(call.id.length > 0);
  });

  test('streamed parallel calls assemble by index', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      tools: [WEATHER_TOOL],
      messages: [{
        role: 'user',
        content: '[[tool:get_weather {"city":"Paris"}]] [[tool:get_weather {"city":"Oslo"}]]',
      }],
    });
    const result = await drain(stream);
    assert.equal(result.finishReason, 'tool_calls');
    assert.equal(result.toolCalls.length, 2);
    assert.deepEqual(result.toolCalls.map((call) => call.name), ['get_weather', 'get_weather']);
    assert.deepEqual(result.toolCalls.map((call) => JSON.parse(call.arguments)),
      [{ city: 'Paris' }, { city: 'Oslo' }]);
    assert.notEqual(result.toolCalls[0].id, result.toolCalls[1].id);
  });

  test('round trip: the tool message is answered', async () => {
    const question = '[[tool:get_weather {"city":"Paris"}]]';
    const first = await client.chat.completions.create({
      model: MODEL,
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user', content: question }],
    });
    const assistant = first.choices[0].message;
    const call = assistant.tool_calls[0];
    const second = await client.chat.completions.create({
      model: MODEL,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: question },
        assistant,
        { role: 'tool', tool_call_id: call.id, content: '18C, sunny' },
      ],
    });
    assert.equal(second.choices[0].finish_reason, 'stop');
    assert.equal(second.choices[0].message.content, 'You said: 18C, sunny');
  });
});

describe('models', () => {
  test('models.list includes both scripted models', async () => {
    const models = [];
    for await (const model of client.models.list()) {
      models.push(model);
    }
    const ids = models.map((model) => model.id);
    assert.ok(ids.includes('scripted-1'), `models: ${ids}`);
    assert.ok(ids.includes('scripted-2'), `models: ${ids}`);
    for (const model of models.filter((m) => m.id.startsWith('scripted-'))) {
      assert.equal(model.object, 'model');
      assert.equal(model.owned_by, 'duet-test');
    }
  });
});

describe('errors', () => {
  test('unknown model is NotFoundError 404', async () => {
    const error = await rejection(client.chat.completions.create({
      model: 'no-such-model',
      messages: [{ role: 'user', content: 'hi' }],
    }));
    assert.ok(error instanceof OpenAI.NotFoundError, `got ${error}`);
    assert.equal(error.status, 404);
  });

  test('backend unavailable is 503', async () => {
    const error = await rejection(client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: '[[error:unavailable]]' }],
    }));
    assert.ok(error instanceof OpenAI.InternalServerError, `got ${error}`);
    assert.equal(error.status, 503);
  });

  test('an error before the first event keeps its HTTP status when streaming', async () => {
    const error = await rejection(client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: '[[error:unavailable]]' }],
    }));
    assert.ok(error instanceof OpenAI.APIError, `got ${error}`);
    assert.equal(error.status, 503);
  });

  test('malformed request is BadRequestError 400', async () => {
    const error = await rejection(client.chat.completions.create({
      model: MODEL,
      messages: 'not an array',
    }));
    assert.ok(error instanceof OpenAI.BadRequestError, `got ${error}`);
    assert.equal(error.status, 400);
  });
});
