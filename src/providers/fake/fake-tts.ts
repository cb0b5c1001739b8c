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
      // Each chunk is its own event-loop task, as chunks of a streamed (network or child
      // process) TTS arrive: a whole reply queued in one task would hold the media clock.
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      const pcm = new Int16Array(Math.min(chunkSamples, total - start));
      const period = buzzPeriod(sampleRate);
      for (let i = 0; i < pcm.length;) {
        const at = (start + i) % period.length;
        const n = Math.min(pcm.length - i, period.length - at);
        pcm.set(period.subarray(at, at + n), i);
        i += n;
      }
      yield { pcm, sampleRate };
    }
  }
}

const F0_HZ = 140;
const periods = new Map<number, Int16Array>();

/**
 * One second of the buzz (a whole number of 140 Hz cycles, so it loops seamlessly), computed
 * once per rate: a stand-in voice must not cost the server the CPU of five sines per sample,
 * which a real TTS spends on its own machine or process.
 */
function buzzPeriod(sampleRate: number): Int16Array {
  let period = periods.get(sampleRate);
  if (!period) {
    period = Int16Array.from({ length: sampleRate }, (_, n) => buzz(n, sampleRate));
    periods.set(sampleRate, period);
  }
  return period;
}

function buzz(n: number, sampleRate: number): number {
  const t = n / sampleRate;
  let v = 0;
  for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * F0_HZ * h * t) / h;
  return Math.round(v * 6000);
}
