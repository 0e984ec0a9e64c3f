// Images on the local side, end to end: the official SDKs send pictures to
// the real duet, whose local engine serves the generated tiny model with a
// generated vision projector (random weights: the answers are noise, the
// image path is real), with `duet sim` as Claude. A duet whose only local
// model reads no images sends image requests to Claude instead, and never
// sends a sensitive one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { exitedCleanly, rejection, startDuet, startSimulator } from './server.mjs';

const { DUET_TINY_MODEL, DUET_TINY_VISION_MODEL, DUET_TINY_VISION_PROJECTOR } = process.env;
if (!DUET_TINY_MODEL || !DUET_TINY_VISION_MODEL || !DUET_TINY_VISION_PROJECTOR) {
  throw new Error('DUET_TINY_MODEL, DUET_TINY_VISION_MODEL and DUET_TINY_VISION_PROJECTOR '
    + 'must be set (ctest sets them to the generated models)');
}
const API_KEY = 'sk-ant-test-vision-0001';
const TOKENS_PER_IMAGE = 16;  // src/model_files/random_projector.h

// A PNG of one colour, written here: signature, IHDR, one zlib IDAT of
// unfiltered RGB rows, IEND.
function solidPng(width, height, [red, green, blue]) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);  // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]),
    Buffer.from(Array.from({ length: width }, () => [red, green, blue]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}
const RED = solidPng(24, 16, [220, 30, 30]).toString('base64');

function imageTurn(text, data = RED) {
  return [{ role: 'user', content: [
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data } },
    { type: 'text', text },
  ] }];
}

let sim;
let configDir;
let seeing;  // local models: tiny (text only) and seer (reads images)
let blind;   // local model: tiny only

async function simMessages() {
  const response = await fetch(`${sim.baseUrl}/_sim/requests`);
  assert.equal(response.status, 200);
  return (await response.json()).filter((request) => request.path === '/v1/messages');
}

function duetWith(models) {
  return startDuet([
    '--log-level', 'warn',
    // No escalation: the tiny models' noise, always cut by max_tokens,
    // would be handed to Claude.
    '--config', path.join(configDir, 'duet.toml'),
    ...models,
    '--set', 'local.context=4096',
    '--set', 'local.threads=1',
    '--set', `anthropic.base_url=${sim.baseUrl}`,
    '--set', 'anthropic.max_retries=0',
  ], { env: { ANTHROPIC_API_KEY: API_KEY } });
}

function clients(server) {
  return {
    anthropic: new Anthropic({ apiKey: 'client', baseURL: server.baseUrl, maxRetries: 0 }),
    openai: new OpenAI({ apiKey: 'client', baseURL: `${server.baseUrl}/v1`, maxRetries: 0 }),
  };
}

before(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duet-vision-'));
  fs.writeFileSync(path.join(configDir, 'duet.toml'), '[policy.escalation]\nenabled = false\n');
  sim = await startSimulator(['--api-key', API_KEY]);
  [seeing, blind] = await Promise.all([
    duetWith(['--model', `tiny=${DUET_TINY_MODEL}`, '--model', `seer=${DUET_TINY_VISION_MODEL}`,
      '--set', `models.seer.mmproj=${DUET_TINY_VISION_PROJECTOR}`]),
    duetWith(['--model', `tiny=${DUET_TINY_MODEL}`]),
  ]);
});

after(async () => {
  for (const server of [seeing, blind, sim]) {
    const exit = await server?.stop();
    if (exit) {
      assert.ok(exitedCleanly(exit), JSON.stringify(exit));
    }
  }
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('a local model with a vision projector', () => {
  test('Anthropic SDK: an image is answered locally by the model that reads it', async () => {
    const before = (await simMessages()).length;
    const { anthropic } = clients(seeing);
    const { data: message, response } = await anthropic.messages.create({
      model: 'auto', max_tokens: 6, temperature: 0,
      messages: imageTurn('Summarise this slide in one line.'),
    }).withResponse();
    assert.equal(response.headers.get('x-duet-side'), 'local');
    assert.equal(message.model, 'seer');
    assert.equal(message.stop_reason, 'max_tokens');
    assert.ok(message.usage.input_tokens > TOKENS_PER_IMAGE, JSON.stringify(message.usage));
    assert.equal((await simMessages()).length, before, 'nothing went to Claude');
  });

  test('Anthropic SDK: streamed, and the next turn reuses the image', async () => {
    const { anthropic } = clients(seeing);
    const first = await anthropic.messages.stream({
      model: 'seer', max_tokens: 6, temperature: 0, messages: imageTurn('What colour is this?'),
    }).finalMessage();
    assert.equal(first.stop_reason, 'max_tokens');
    const prompt = first.usage.input_tokens + first.usage.cache_read_input_tokens;
    const second = await anthropic.messages.create({
      model: 'seer', max_tokens: 6, temperature: 0,
      messages: [...imageTurn('What colour is this?'),
        { role: 'assistant', content: first.content[0].text },
        { role: 'user', content: 'Are you sure?' }],
    });
    assert.ok(second.usage.cache_read_input_tokens >= prompt - 2, JSON.stringify(second.usage));
  });

  test('OpenAI SDK: a data: URL image is read', async () => {
    const { openai } = clients(seeing);
    const completion = await openai.chat.completions.create({
      model: 'seer', max_tokens: 5, temperature: 0,
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'Describe the picture.' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${RED}` } },
      ] }],
    });
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.ok(completion.usage.prompt_tokens > TOKENS_PER_IMAGE);
  });

  test('an image the engine cannot read is a 400 that says why, in each API', async () => {
    const { anthropic, openai } = clients(seeing);
    const garbled = await rejection(anthropic.messages.create({
      model: 'seer', max_tokens: 4, messages: imageTurn('What is it?', Buffer.from('not a picture').toString('base64')),
    }));
    assert.equal(garbled.status, 400);
    assert.equal(garbled.error.error.type, 'invalid_request_error');
    assert.match(garbled.error.error.message, /could not be decoded/);
    const url = await rejection(openai.chat.completions.create({
      model: 'seer', max_tokens: 4,
      messages: [{ role: 'user', content: [
        { type: 'image_url', image_url: { url: 'http://192.0.2.1/cat.png' } }] }],
    }));
    assert.equal(url.status, 400);
    assert.match(url.error.message, /base64 data, not URLs/);
  });
});

describe('local models that read no images', () => {
  test('an image request goes to Claude, image and all', async () => {
    const before = (await simMessages()).length;
    const { anthropic } = clients(blind);
    const { response } = await anthropic.messages.create({
      model: 'auto', max_tokens: 8, messages: imageTurn('Summarise this slide in one line.'),
    }).withResponse();
    assert.equal(response.headers.get('x-duet-side'), 'cloud');
    assert.equal(response.headers.get('x-duet-rule'), 'local_reads_no_images');
    const sent = (await simMessages()).slice(before);
    assert.equal(sent.length, 1);
    const image = JSON.parse(sent[0].body).messages[0].content[0];
    assert.equal(image.type, 'image');
    assert.equal(image.source.data, RED);
  });

  test('the text-only model named explicitly refuses the image with a 400', async () => {
    const { anthropic } = clients(blind);
    const error = await rejection(anthropic.messages.create({
      model: 'tiny', max_tokens: 4, messages: imageTurn('What is it?'),
    }));
    assert.equal(error.status, 400);
    assert.match(error.error.error.message, /reads no images/);
  });

  test('a sensitive request with an image is refused, never sent to Claude', async () => {
    const before = (await simMessages()).length;
    const { anthropic } = clients(blind);
    const error = await rejection(anthropic.messages.create({
      model: 'auto', max_tokens: 4,
      messages: imageTurn('Is this scan of jana.novak@gmail.com\'s passport valid?'),
    }));
    assert.equal(error.status, 400);
    assert.match(error.error.error.message, /reads no images/);
    assert.equal((await simMessages()).length, before);
  });
});
