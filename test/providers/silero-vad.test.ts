import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSileroV5Fixture } from '../../scripts/fixtures/silero-v5.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { roomTone, speech16k } from './speech.js';

/** Inference in the worker thread (the default) and on the calling thread behave the same. */
const MODES = [
  { mode: 'worker thread', options: {} },
  { mode: 'in-thread', options: { inThread: true } },
];

describe.each(MODES)('Silero VAD (shipped v4 model, 16 kHz, $mode)', ({ options }) => {
  const factory = new SileroVadFactory(options);
  afterAll(() => factory.close());

  async function probabilities(audio: Int16Array): Promise<number[]> {
    const vad = await factory.create();
    const probs: number[] = [];
    for (let start = 0; start + vad.frameSamples <= audio.length; start += vad.frameSamples) {
      probs.push(await vad.process(audio.subarray(start, start + vad.frameSamples)));
    }
    await vad.close();
    return probs;
  }

  it('hears espeak-ng speech and not room tone', async () => {
    const speech = await probabilities(speech16k('Hello, I would like to book an appointment for tomorrow morning.'));
    const silence = await probabilities(roomTone(16000 * 2));
    const speechFrames = speech.filter((p) => p > 0.5).length;
    expect(speechFrames / speech.length).toBeGreaterThan(0.4);
    expect(Math.max(...silence)).toBeLessThan(0.2);
  });

  it('keeps state per call: two calls interleaved give the same results as one call alone', async () => {
    const audio = speech16k('Good morning.');
    const alone = await probabilities(audio);
    const [a, b] = [await factory.create(), await factory.create()];
    const mixed: number[] = [];
    for (let i = 0; i < alone.length; i++) {
      const frame = audio.subarray(i * 512, (i + 1) * 512);
      const [pa] = await Promise.all([a.process(frame), b.process(roomTone(512, 3000))]);
      mixed.push(pa);
    }
    // Batched rows may differ from a lone run in the last float bits.
    mixed.forEach((p, i) => expect(p).toBeCloseTo(alone[i]!, 5));
  });

  it('reset() clears the recurrent state', async () => {
    const vad = await factory.create();
    const frame = speech16k('Hello there.').subarray(4000, 4512);
    const first = await vad.process(frame);
    await vad.process(frame);
    vad.reset();
    expect(await vad.process(frame)).toBe(first);
  });

  it('rejects frames of the wrong size', async () => {
    const vad = await factory.create();
    await expect(vad.process(new Int16Array(320))).rejects.toThrow(/512 samples/);
  });

  it('reports a missing model clearly', async () => {
    const missing = new SileroVadFactory({ ...options, modelPath: '/nonexistent/silero_vad.onnx' });
    await expect(missing.create()).rejects.toThrow(/not found at \/nonexistent/);
  });
});

describe.each(MODES)('Silero VAD v5 signature (input, state, sr), $mode', ({ options }) => {
  it('threads the state from frame to frame and reset() clears it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-silero5-'));
    const v5 = new SileroVadFactory({ ...options, modelPath: writeSileroV5Fixture(join(dir, 'silero_v5.onnx')) });
    const vad = await v5.create();
    const silence = new Int16Array(512);
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    expect(await vad.process(silence)).toBeCloseTo(sigmoid(0), 6);
    expect(await vad.process(silence)).toBeCloseTo(sigmoid(1), 6);
    expect(await vad.process(new Int16Array(512).fill(16384))).toBeCloseTo(sigmoid(2.5), 6);
    vad.reset();
    expect(await vad.process(silence)).toBeCloseTo(sigmoid(0), 6);
    await v5.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('Silero VAD windows of 64 and 96 ms (the v4 model was trained on them; fewer inferences per second)', () => {
  const factories = new Map([32, 64, 96].map((w) => [w, new SileroVadFactory({ windowMs: w as 32 | 64 | 96 })]));
  afterAll(() => Promise.all([...factories.values()].map((f) => f.close())));

  /** Milliseconds of audio judged speech, and the window count. */
  async function speechMs(windowMs: number, audio: Int16Array): Promise<{ ms: number; windows: number; frameSamples: number }> {
    const vad = await factories.get(windowMs)!.create();
    let ms = 0;
    let windows = 0;
    for (let start = 0; start + vad.frameSamples <= audio.length; start += vad.frameSamples, windows++) {
      if ((await vad.process(audio.subarray(start, start + vad.frameSamples))) > 0.5) ms += windowMs;
    }
    const { frameSamples } = vad;
    await vad.close();
    return { ms, windows, frameSamples };
  }

  it('hears the same speech as the 32 ms window, in a half / a third of the inferences', async () => {
    const audio = speech16k('Hello, I would like to book an appointment for tomorrow morning, please.');
    const [w32, w64, w96] = await Promise.all([32, 64, 96].map((w) => speechMs(w, audio)));
    expect([w32!.frameSamples, w64!.frameSamples, w96!.frameSamples]).toEqual([512, 1024, 1536]);
    expect(w32!.ms).toBeGreaterThan(1000);
    for (const w of [w64!, w96!]) {
      expect(Math.abs(w.ms - w32!.ms)).toBeLessThan(w32!.ms * 0.15);
      expect(w.windows).toBeLessThanOrEqual(Math.ceil(w32!.windows / (w.frameSamples / 512)));
    }
    const quiet = await speechMs(64, roomTone(16000 * 2));
    expect(quiet.ms).toBe(0);
  });

  it('hears 8 kHz telephone audio (the embedded engine\'s line) with the same detector factory: 512-sample windows', async () => {
    const text = 'Hello, I would like to book an appointment for tomorrow morning, please.';
    const vad = await factories.get(64)!.create(8000);
    expect([vad.sampleRate, vad.frameSamples]).toEqual([8000, 512]);
    const audio = speech16k(text, 8000);
    let ms = 0;
    for (let start = 0; start + 512 <= audio.length; start += 512) if ((await vad.process(audio.subarray(start, start + 512))) > 0.5) ms += 64;
    await vad.close();
    const wide = await speechMs(64, speech16k(text));
    expect(Math.abs(ms - wide.ms)).toBeLessThan(wide.ms * 0.15);
    await expect(factories.get(64)!.create(11025)).rejects.toThrow(/16000 or 8000 Hz/);
  });

  it('refuses a window the model was not trained on: v5 takes 32 ms only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-silero5w-'));
    const v5 = new SileroVadFactory({ modelPath: writeSileroV5Fixture(join(dir, 'silero_v5.onnx')), windowMs: 64, inThread: true });
    await expect(v5.create()).rejects.toThrow(/v5, trained on 32 ms windows only: set providers.vad.window_ms to 32/);
    await v5.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
