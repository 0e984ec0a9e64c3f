// Both official SDKs against duet's local engine: the generated tiny model
// (random weights, real tokenizer) served in-process with llama.cpp. The text
// is noise; what is checked is everything the SDKs rely on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { useServer } from './server.mjs';

const model = process.env.DUET_TINY_MODEL;
if (!model) {
  throw new Error('DUET_TINY_MODEL is not set (ctest sets it to the generated model)');
}

let anthropic;
let openai;
useServer((baseUrl) => {
  anthropic = new Anthropic({ apiKey: 'unused', baseURL: baseUrl, maxRetries: 0 });
  openai = new OpenAI({ apiKey: 'unused', baseURL: `${baseUrl}/v1`, maxRetries: 0 });
}, ['--model', `tiny=${model}`, '--set', 'local.context=512', '--set', 'local.threads=1']);

const question = [{ role: 'user', content: 'Say something.' }];

describe('Anthropic SDK on the local model', () => {
  test('create: max_tokens ends the answer with exact usage', async () => {
    const message = await anthropic.messages.create({
      model: 'tiny', max_tokens: 8, temperature: 0, messages: question,
    });
    assert.equal(message.model, 'tiny');
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 8);
    assert.ok(message.usage.input_tokens > 1);
    assert.equal(message.content[0].type, 'text');
    assert.ok(message.content[0].text.length > 0);
  });

  test('stream: the text deltas add up to the non-streamed answer', async () => {
    const whole = await anthropic.messages.create({
      model: 'tiny', max_tokens: 8, temperature: 0, messages: question,
    });
    const stream = anthropic.messages.stream({
      model: 'tiny', max_tokens: 8, temperature: 0, messages: question,
    });
    let text = '';
    stream.on('text', (delta) => { text += delta; });
    const final = await stream.finalMessage();
    assert.equal(text, whole.content[0].text);
    assert.equal(final.stop_reason, 'max_tokens');
    assert.deepEqual(final.usage.output_tokens, whole.usage.output_tokens);
  });
});

describe('OpenAI SDK on the local model', () => {
  test('create: finish_reason length and usage', async () => {
    const completion = await openai.chat.completions.create({
      model: 'tiny', max_tokens: 6, temperature: 0, messages: question,
    });
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.equal(completion.usage.completion_tokens, 6);
    assert.ok(completion.choices[0].message.content.length > 0);
  });

  test('stream: chunks add up to the answer, then usage', async () => {
    const whole = await openai.chat.completions.create({
      model: 'tiny', max_tokens: 6, temperature: 0, messages: question,
    });
    const stream = await openai.chat.completions.create({
      model: 'tiny', max_tokens: 6, temperature: 0, messages: question,
      stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let finish = null;
    let usage = null;
    for await (const chunk of stream) {
      if (chunk.choices.length > 0) {
        text += chunk.choices[0].delta.content ?? '';
        finish = chunk.choices[0].finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, whole.choices[0].message.content);
    assert.equal(finish, 'length');
    assert.equal(usage.completion_tokens, 6);
  });

  test('logprobs: the SDK reads per-token logprobs, created and streamed', async () => {
    const request = {
      model: 'tiny', max_tokens: 6, temperature: 0, messages: question,
      logprobs: true, top_logprobs: 2,
    };
    const completion = await openai.chat.completions.create(request);
    const content = completion.choices[0].logprobs.content;
    assert.equal(content.length, completion.usage.completion_tokens);
    for (const entry of content) {
      assert.equal(typeof entry.token, 'string');
      assert.ok(entry.logprob <= 0);
      assert.ok(Array.isArray(entry.bytes));
      assert.equal(entry.top_logprobs.length, 2);
      assert.ok(entry.top_logprobs[0].logprob >= entry.top_logprobs[1].logprob);
    }
    // The stream helper collects each chunk's logprobs into the final answer.
    const runner = openai.chat.completions.stream(request);
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0].logprobs.content;
    assert.deepEqual(streamed.map((entry) => entry.bytes), content.map((entry) => entry.bytes));
    assert.equal(final.choices[0].message.content, completion.choices[0].message.content);
  });

  test('top_logprobs without logprobs is a BadRequestError', async () => {
    await assert.rejects(
      openai.chat.completions.create({
        model: 'tiny', max_tokens: 2, messages: question, top_logprobs: 2,
      }),
      (error) => error instanceof OpenAI.BadRequestError && /requires logprobs/.test(error.message),
    );
  });

  test('presence and frequency penalties change a greedy answer; beyond 2 is a 400', async () => {
    const ask = (extra) => openai.chat.completions.create({
      model: 'tiny', max_tokens: 12, temperature: 0, messages: question, ...extra,
    });
    const words = (completion) => new Set(completion.choices[0].message.content.split(' '));
    const plain = await ask({});
    for (const penalty of [{ frequency_penalty: 2 }, { presence_penalty: 2 }]) {
      const penalised = await ask(penalty);
      assert.ok(words(penalised).size > words(plain).size + 3,
        `${JSON.stringify(penalty)}: ${penalised.choices[0].message.content} against ` +
        plain.choices[0].message.content);
    }
    await assert.rejects(ask({ presence_penalty: 2.5 }),
      (error) => error instanceof OpenAI.BadRequestError && /presence_penalty/.test(error.message));
  });

  test('logit_bias takes the model\'s token ids: +100 makes one token the answer', async () => {
    const completion = await openai.chat.completions.create({
      model: 'tiny', max_tokens: 5, messages: question, logprobs: true,
      logit_bias: { 1000: 100 },
    });
    const tokens = completion.choices[0].logprobs.content.map((entry) => entry.token);
    assert.equal(tokens.length, 5);
    assert.equal(new Set(tokens).size, 1, tokens.join('|'));
    await assert.rejects(
      openai.chat.completions.create({
        model: 'tiny', max_tokens: 2, messages: question, logit_bias: { 99999999: 5 },
      }),
      (error) => error instanceof OpenAI.BadRequestError && /vocabulary/.test(error.message),
    );
  });

  test('a prompt beyond the context window is a BadRequestError', async () => {
    const long = 'word '.repeat(1200);
    await assert.rejects(
      openai.chat.completions.create({
        model: 'tiny', max_tokens: 4, messages: [{ role: 'user', content: long }],
      }),
      (error) => error instanceof OpenAI.BadRequestError && /context window/.test(error.message),
    );
  });
});
