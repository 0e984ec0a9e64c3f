// A prefill (a request ending with an assistant turn) on the local engine,
// through both official SDKs: the model continues that turn, and the answer
// does not repeat it. The tiny model's text is noise, so the continuation
// is checked against llama.cpp's own llama-server ($DUET_LLAMA_SERVER) on
// the same model, which continues a trailing assistant turn by default:
// greedy answers are equal only when both prompts are.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { exitedCleanly, rejection, startDuet, startLlamaServer } from './server.mjs';

const TINY = process.env.DUET_TINY_MODEL;
const MAX_TOKENS = 12;

const question = { role: 'user', content: 'Write one line about rivers.' };
const prefill = { role: 'assistant', content: 'Rivers carry' };

// The streamed text of an OpenAI-shaped answer and its usage.
async function streamedChat(client, messages) {
  const stream = await client.chat.completions.create({
    model: 'tiny', max_tokens: MAX_TOKENS, temperature: 0, messages, stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    usage = chunk.usage ?? usage;
  }
  return { text, usage };
}

describe('a prefill on the local engine', () => {
  let duet;
  let anthropic;
  let openai;
  before(async () => {
    duet = await startDuet(['--model', `tiny=${TINY}`, '--set', 'local.threads=1',
      '--log-level', 'warn']);
    anthropic = new Anthropic({ apiKey: 'k', baseURL: duet.baseUrl, maxRetries: 0 });
    openai = new OpenAI({ apiKey: 'k', baseURL: `${duet.baseUrl}/v1`, maxRetries: 0 });
  });
  after(async () => {
    assert.ok(exitedCleanly(await duet.stop()));
  });

  test('the answer continues the turn: streamed and not, both APIs alike', async () => {
    const created = await anthropic.messages.create({
      model: 'tiny', max_tokens: MAX_TOKENS, temperature: 0, messages: [question, prefill],
    });
    assert.equal(created.content.length, 1);
    const text = created.content[0].text;
    assert.ok(text.length > 0);
    assert.ok(!text.startsWith(prefill.content), text);

    const stream = anthropic.messages.stream({
      model: 'tiny', max_tokens: MAX_TOKENS, temperature: 0, messages: [question, prefill],
    });
    let streamed = '';
    stream.on('text', (delta) => { streamed += delta; });
    await stream.finalMessage();
    assert.equal(streamed, text);

    const chat = await openai.chat.completions.create({
      model: 'tiny', max_tokens: MAX_TOKENS, temperature: 0, messages: [question, prefill],
    });
    assert.equal(chat.choices[0].message.content, text);
    assert.equal((await streamedChat(openai, [question, prefill])).text, text);

    // Without the prefill the model starts its own turn: another answer.
    const opened = await anthropic.messages.create({
      model: 'tiny', max_tokens: MAX_TOKENS, temperature: 0, messages: [question],
    });
    assert.notEqual(opened.content[0].text, text);
  });

  test('an assistant turn ending with a tool call cannot be continued', async () => {
    const error = await rejection(anthropic.messages.create({
      model: 'tiny', max_tokens: MAX_TOKENS, messages: [question, {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'look', input: {} }],
      }],
      tools: [{ name: 'look', input_schema: { type: 'object' } }],
    }));
    assert.ok(error instanceof Anthropic.BadRequestError, String(error));
    assert.equal(error.error.error.type, 'invalid_request_error');
    assert.match(error.message, /assistant turn with a tool call/);
  });

  describe('the same as llama-server', { skip: !process.env.DUET_LLAMA_SERVER }, () => {
    let server;
    let direct;
    before(async () => {
      server = await startLlamaServer(TINY);
      direct = new OpenAI({ apiKey: 'k', baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
    });
    after(async () => {
      await server.stop();
    });

    // llama-server's stream repeats the prefill before its continuation.
    for (const [name, messages, repeated] of [['a question', [question], ''],
      ['a question and a prefill', [question, prefill], prefill.content]]) {
      test(`${name}: the same prompt and the same greedy answer`, async () => {
        const theirs = await streamedChat(direct, messages);
        const ours = await anthropic.messages.create({
          model: 'tiny', max_tokens: MAX_TOKENS, temperature: 0, messages,
        });
        assert.ok(ours.content[0].text.length > 0);
        assert.equal(repeated + ours.content[0].text, theirs.text);
        assert.equal(ours.usage.input_tokens + (ours.usage.cache_read_input_tokens ?? 0),
          theirs.usage.prompt_tokens);
      });
    }
  });
});
