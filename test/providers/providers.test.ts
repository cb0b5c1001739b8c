import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createProviders } from '../../src/providers/index.js';

const empty = mkdtempSync(join(tmpdir(), 'pv-models-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('createProviders without any downloaded model', () => {
  it('status() says Whisper is missing and Piper falls back to espeak-ng', async () => {
    const providers = await createProviders(configSchema.parse({ models: { dir: empty } }), silentLogger);
    await providers.warmUp();
    const byName = Object.fromEntries(providers.status().map((s) => [s.name, s]));
    expect(byName['vad:silero']).toMatchObject({ ready: true, detail: expect.stringMatching(/^loaded/) });
    expect(byName['whisper:onnx-community/whisper-tiny.en']).toMatchObject({ ready: false, detail: expect.stringMatching(/missing config\.json.*npm run models/) });
    expect(byName['piper:en_US-lessac-medium']).toMatchObject({ ready: false, detail: expect.stringMatching(/espeak-ng fallback/) });
    expect(byName['espeak:en-us']).toMatchObject({ ready: true, detail: expect.stringMatching(/eSpeak NG/) });
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
  it('warmUp() loads Whisper and Piper, status() says ready, tts()/stt() use them', async () => {
    const { ensureFixtureModels } = await import('../../scripts/make-fixtures.js');
    const fixtures = ensureFixtureModels();
    const config = configSchema.parse({
      models: { dir: fixtures.modelsDir },
      providers: { whisper: { model: fixtures.whisperModel }, piper: { voice: fixtures.piperVoice } },
    });
    const providers = await createProviders(config, silentLogger);
    await providers.warmUp();
    const byName = Object.fromEntries(providers.status().map((s) => [s.name, s]));
    expect(byName[`whisper:${fixtures.whisperModel}`]).toEqual({ name: `whisper:${fixtures.whisperModel}`, ready: true, detail: 'loaded (fp32)' });
    expect(byName[`piper:${fixtures.piperVoice}`]).toEqual({ name: `piper:${fixtures.piperVoice}`, ready: true, detail: 'loaded' });
    expect(providers.tts({ provider: 'piper', voice: fixtures.piperVoice }).name).toBe(`piper:${fixtures.piperVoice}`);
    expect(providers.tts({ provider: 'piper', voice: '' }).name).toBe(`piper:${fixtures.piperVoice}`);
    expect((await providers.stt({ provider: 'whisper' }).transcribe(new Int16Array(1600), 16000)).text).toBe('Hello from the fixture.');
    await providers.close();
  });
});
