import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createProviders } from '../../src/providers/index.js';

const empty = mkdtempSync(join(tmpdir(), 'pv-models-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('createProviders without any downloaded model', () => {
  it('status() says Whisper is missing, Piper falls back to espeak-ng and Ollama is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const providers = await createProviders(configSchema.parse({ models: { dir: empty }, providers: { ollama: { url: deadUrl } } }), silentLogger);
    expect(providers.status().find((s) => s.name.startsWith('llm:ollama'))).toMatchObject({ ready: false, detail: `not checked yet (${deadUrl})` });
    await providers.warmUp();
    const byName = Object.fromEntries(providers.status().map((s) => [s.name, s]));
    expect(byName['vad:silero']).toMatchObject({ ready: true, detail: expect.stringMatching(/^loaded/) });
    expect(byName['whisper:onnx-community/whisper-tiny.en']).toMatchObject({ ready: false, detail: expect.stringMatching(/missing config\.json.*npm run models/) });
    expect(byName['piper:en_US-lessac-medium']).toMatchObject({ ready: true, detail: expect.stringMatching(/^degraded: voice missing .*espeak-ng fallback/) });
    expect(byName['espeak:en-us']).toMatchObject({ ready: true, detail: expect.stringMatching(/eSpeak NG/) });
    expect(byName['llm:ollama:llama3.2:1b']).toMatchObject({ ready: false, detail: expect.stringMatching(/./) });
    expect(byName['llm:ollama:llama3.2:1b']!.detail).not.toMatch(/not checked/);
    await providers.close();
  });

  it('tts() answers espeak for a missing Piper voice; stt() fails with a clear error', async () => {
    const providers = await createProviders(configSchema.parse({ models: { dir: empty } }), silentLogger);
    const tts = providers.tts({ provider: 'piper', voice: 'en_US-lessac-medium' });
    expect(tts).toBe(providers.fallbackTts);
    // A missing German voice falls back to espeak's German, not to American English.
    expect(providers.tts({ provider: 'piper', voice: 'de_DE-thorsten-medium' }).name).toBe('espeak:de');
    expect(providers.tts({ provider: 'piper', voice: 'pt_BR-faber-medium' }).name).toBe('espeak:pt-br');
    const stt = providers.stt({ provider: 'whisper' });
    expect(providers.stt({ provider: 'whisper' })).toBe(stt);
    await expect(stt.transcribe(new Int16Array(1600), 16000)).rejects.toThrow(/missing config\.json.*npm run models/);
    expect(() => providers.stt({ provider: 'openai_compatible' })).toThrow(/transcriber\.url is required/);
    expect(() => providers.tts({ provider: 'acme', voice: 'x' })).toThrow(/unknown voice provider: acme/);
    expect(() => providers.tts({ provider: 'piper', voice: '../../../etc/voice' })).toThrow(/invalid piper voice name/);
    expect(() => providers.stt({ provider: 'whisper', model: '../../tmp' })).toThrow(/invalid whisper model name/);
    await providers.close();
  });

  it('a Piper voice that appears on disk is used from the next call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-models-'));
    const providers = await createProviders(configSchema.parse({ models: { dir } }), silentLogger);
    expect(providers.tts({ provider: 'piper', voice: 'v' }).name).toBe('espeak:en-us');
    mkdirSync(join(dir, 'piper'));
    writeFileSync(join(dir, 'piper', 'v.onnx'), '');
    writeFileSync(join(dir, 'piper', 'v.onnx.json'), '{}');
    expect(providers.tts({ provider: 'piper', voice: 'v' }).name).toBe('piper:v');
    await providers.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fake mode swaps STT and TTS for the fixed-latency fakes', async () => {
    const config = configSchema.parse({ models: { dir: empty }, providers: { fake: { enabled: true, stt_delay_ms: 1 } } });
    const providers = await createProviders(config, silentLogger);
    expect(providers.stt({ provider: 'whisper' }).name).toBe('fake-stt');
    expect(providers.tts({ provider: 'piper', voice: 'x' }).name).toBe('fake-tts');
    expect((await providers.stt({ provider: 'whisper' }).transcribe(new Int16Array(160), 16000)).text).toBe('I would like to book an appointment');
    await providers.close();
  });
});

describe('createProviders with models on disk (fixture exports)', () => {
  it('warmUp() loads Whisper, Piper and the Ollama model; status() says ready, tts()/stt() use them', async () => {
    const { ensureFixtureModels } = await import('../../scripts/make-fixtures.js');
    const fixtures = ensureFixtureModels();
    // Ollama's load-a-model request: POST /api/generate with an empty prompt.
    const loads: unknown[] = [];
    const ollama = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c)).on('end', () => {
        if (req.url !== '/api/generate') return void res.writeHead(404).end();
        loads.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: 'llama3.2:1b', created_at: new Date().toISOString(), response: '', done: true }));
      });
    });
    await new Promise<void>((resolve) => ollama.listen(0, '127.0.0.1', resolve));
    const ollamaUrl = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
    const config = configSchema.parse({
      models: { dir: fixtures.modelsDir },
      providers: { whisper: { model: fixtures.whisperModel }, piper: { voice: fixtures.piperVoice }, ollama: { url: ollamaUrl } },
    });
    const providers = await createProviders(config, silentLogger);
    await providers.warmUp();
    const byName = Object.fromEntries(providers.status().map((s) => [s.name, s]));
    expect(byName[`whisper:${fixtures.whisperModel}`]).toEqual({ name: `whisper:${fixtures.whisperModel}`, ready: true, detail: 'loaded (fp32)' });
    expect(byName[`piper:${fixtures.piperVoice}`]).toEqual({ name: `piper:${fixtures.piperVoice}`, ready: true, detail: 'loaded' });
    expect(byName['llm:ollama:llama3.2:1b']).toEqual({ name: 'llm:ollama:llama3.2:1b', ready: true, detail: `model loaded at ${ollamaUrl}` });
    expect(loads).toEqual([expect.objectContaining({ model: 'llama3.2:1b', prompt: '', keep_alive: '30m' })]);
    ollama.close();
    expect(providers.tts({ provider: 'piper', voice: fixtures.piperVoice }).name).toBe(`piper:${fixtures.piperVoice}`);
    expect(providers.tts({ provider: 'piper', voice: '' }).name).toBe(`piper:${fixtures.piperVoice}`);
    expect((await providers.stt({ provider: 'whisper' }).transcribe(new Int16Array(1600), 16000)).text).toBe('Hello from the fixture.');
    await providers.close();
  });
});
