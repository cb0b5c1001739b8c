import type { VoiceActivityDetector } from '../types.js';
import type { SileroModel, SileroVersion } from './silero-model.js';

/**
 * What every Silero detector checks and guarantees, wherever inference runs: frames of
 * exactly `frameSamples`, nothing after close(), and close() waiting for frames in flight.
 */
export abstract class SileroDetector implements VoiceActivityDetector {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly version: SileroVersion;
  #last: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(sampleRate: number, frameSamples: number, version: SileroVersion) {
    this.sampleRate = sampleRate;
    this.frameSamples = frameSamples;
    this.version = version;
  }

  process(frame: Int16Array): Promise<number> {
    if (frame.length !== this.frameSamples) {
      return Promise.reject(new RangeError(`Silero expects ${this.frameSamples} samples per frame, got ${frame.length}`));
    }
    if (this.#closed) return Promise.reject(new Error('VAD is closed'));
    const result = this.infer(frame);
    this.#last = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#last;
    this.release();
  }

  abstract reset(): void;
  /** Keeps this detector's frames in order; copies `frame` before returning (callers reuse it). */
  protected abstract infer(frame: Int16Array): Promise<number>;
  protected abstract release(): void;
}

/** Inference on the calling thread: the baseline the worker is measured against. */
export class InThreadSileroVad extends SileroDetector {
  readonly #model: SileroModel;
  readonly #state: Float32Array;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(model: SileroModel, sampleRate: number) {
    super(sampleRate, model.frameSamples, model.version);
    this.#model = model;
    this.#state = model.newState();
  }

  protected infer(frame: Int16Array): Promise<number> {
    // The state is recurrent, so frames run strictly one after another.
    const copy = frame.slice();
    const run = this.#queue.then(() => this.#model.inferOne(copy, this.#state));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  reset(): void {
    this.#state.fill(0);
  }

  protected release(): void {}
}
