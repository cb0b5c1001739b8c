import type { AudioChunk, TextToSpeech } from '../types.js';
import { delay } from './delay.js';

/**
 * Fixed-latency voice for load tests and benchmarks: after `firstAudioMs` it streams a
 * voiced buzz (a 140 Hz fundamental with harmonics, like a vowel) whose length grows with
 * the text, so the media path carries realistic amounts of audio without a model.
 */
export interface FakeTtsOptions {
  firstAudioMs: number;
  sampleRate: number;
  /** Audio per character of text (~ speaking rate of 15 characters a second). */
  msPerCharacter: number;
  chunkMs: number;
}

const defaultFakeTtsOptions: FakeTtsOptions = {
  firstAudioMs: 50,
  sampleRate: 16000,
  msPerCharacter: 65,
  chunkMs: 100,
};

export class FakeTts implements TextToSpeech {
  readonly name = 'fake-tts';
  readonly #options: FakeTtsOptions;

  constructor(options: Partial<FakeTtsOptions> = {}) {
    this.#options = { ...defaultFakeTtsOptions, ...options };
  }

  async *synthesize(text: string, signal?: AbortSignal): AsyncIterable<AudioChunk> {
    const { firstAudioMs, sampleRate, msPerCharacter, chunkMs } = this.#options;
    await delay(firstAudioMs, signal);
    const total = Math.round((text.trim().length * msPerCharacter * sampleRate) / 1000);
    const chunkSamples = Math.max(1, Math.round((chunkMs * sampleRate) / 1000));
    for (let start = 0; start < total; start += chunkSamples) {
      signal?.throwIfAborted();
      const pcm = new Int16Array(Math.min(chunkSamples, total - start));
      for (let i = 0; i < pcm.length; i++) pcm[i] = buzz(start + i, sampleRate);
      yield { pcm, sampleRate };
    }
  }
}

function buzz(n: number, sampleRate: number): number {
  const t = n / sampleRate;
  const f0 = 140;
  let v = 0;
  for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
  return Math.round(v * 6000);
}
