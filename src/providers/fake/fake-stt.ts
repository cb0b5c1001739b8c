import type { SpeechToText, Transcript } from '../types.js';
import { delay } from './delay.js';

/**
 * Fixed-latency transcriber for load tests and benchmarks: it never listens, it waits
 * `delayMs` and answers `text`, so the rest of the pipeline can be measured without a model.
 */
export interface FakeSttOptions {
  delayMs: number;
  text: string;
  /** Segments shorter than this are treated as noise and transcribed to "". */
  minAudioMs: number;
}

const defaultFakeSttOptions: FakeSttOptions = {
  delayMs: 50,
  text: 'I would like to book an appointment',
  minAudioMs: 0,
};

export class FakeStt implements SpeechToText {
  readonly name = 'fake-stt';
  readonly #options: FakeSttOptions;

  constructor(options: Partial<FakeSttOptions> = {}) {
    this.#options = { ...defaultFakeSttOptions, ...options };
  }

  async transcribe(audio: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<Transcript> {
    await delay(this.#options.delayMs, signal);
    const audioMs = (audio.length / sampleRate) * 1000;
    return { text: audioMs < this.#options.minAudioMs ? '' : this.#options.text, language: 'en' };
  }
}
