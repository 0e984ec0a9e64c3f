// OpenAI-compatible upstreams behind duet, answering Anthropic SDK clients:
// duet's own local engine served on another port, and llama.cpp's
// llama-server built from the pinned source ($DUET_LLAMA_SERVER). Both run
// the generated tiny model, whose text is noise: the tests check the
// protocol (translation, streaming, stop reasons, usage, routing headers),
// not the words.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { exitedCleanly, startDuet, startLlamaServer } from './server.mjs';

const TINY = process.env.DUET_TINY_MODEL;

// Starts a duet whose only backend is the OpenAI-compatible server at
// `upstreamUrl`, serving `models` under the upstream name `name`.
async function startGatewayTo(name, upstreamUrl, models, dir) {
  const config = path.join(dir, `${name}.toml`);
  writeFileSync(config, [
    `[upstreams.${name}]`,
    `base_url = "${upstreamUrl}/v1"`,
    `models = [${models.map((m) => `"${m}"`).join(', ')}]`,
    'context_window = 2048',
    '',
  ].join('\n'));
  return startDuet(['--config', config, '--log-level', 'warn']);
}

// The checks every upstream must pass, through an Anthropic client.
function protocolTests(context) {
  test('a non-streamed answer is translated, with usage and stop reason', async () => {
    const { data: message, response } = await context.anthropic.messages
      .create({
        model: context.model,
        max_tokens: 6,
        messages: [{ role: 'user', content: 'Say something.' }],
      })
      .withResponse();
    assert.equal(response.headers.get('x-duet-backend'), context.backend);
    assert.equal(message.type, 'message');
    assert.equal(message.content[0].type, 'text');
    assert.ok(message.content[0].text.length > 0);
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 6);
    assert.ok(message.usage.input_tokens + message.usage.cache_read_input_tokens > 5);
  });

  test('a streamed answer arrives in several deltas and ends properly', async () => {
    const stream = context.anthropic.messages.stream({
      model: context.model,
      max_tokens: 8,
      messages: [{ role: 'user', content: 'Count to ten.' }],
    });
    let deltas = 0;
    stream.on('text', () => {
      deltas += 1;
    });
    const message = await stream.finalMessage();
    assert.ok(deltas >= 2, `only ${deltas} text deltas`);
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 8);
  });

  test('an OpenAI client reaches it through duet unchanged', async () => {
    const completion = await context.openai.chat.completions.create({
      model: context.model,
      max_tokens: 4,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.equal(completion.usage.completion_tokens, 4);
  });

  test('a model it does not serve is a 404 in the client API shape', async () => {
    const error = await context.anthropic.messages
      .create({ model: 'not-served', max_tokens: 4, messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    assert.equal(error.status, 404);
    assert.equal(error.error.error.type, 'not_found_error');
  });
}

describe('duet as an OpenAI-compatible upstream of duet', () => {
  const context = { model: 'tiny', backend: 'peer' };
  let dir;
  let local;
  let gateway;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'duet-upstream-'));
    local = await startDuet(['--model', `tiny=${TINY}`, '--log-level', 'warn']);
    gateway = await startGatewayTo('peer', local.baseUrl, ['tiny'], dir);
    context.anthropic = new Anthropic({ apiKey: 'k', baseURL: gateway.baseUrl, maxRetries: 0 });
    context.openai = new OpenAI({ apiKey: 'k', baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
  });
  after(async () => {
    assert.ok(exitedCleanly(await gateway.stop()));
    assert.ok(exitedCleanly(await local.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  protocolTests(context);
});

describe('llama-server as an OpenAI-compatible upstream', { skip: !process.env.DUET_LLAMA_SERVER }, () => {
  const context = { model: 'tiny-llama-server', backend: 'llamacpp' };
  let dir;
  let server;
  let gateway;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'duet-llama-server-'));
    server = await startLlamaServer(TINY);
    gateway = await startGatewayTo('llamacpp', server.baseUrl, ['tiny-llama-server'], dir);
    context.anthropic = new Anthropic({ apiKey: 'k', baseURL: gateway.baseUrl, maxRetries: 0 });
    context.openai = new OpenAI({ apiKey: 'k', baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
  });
  after(async () => {
    assert.ok(exitedCleanly(await gateway.stop()));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  protocolTests(context);
});
