import type { VoiceActivityDetector } from '../types.js';
import { SilenceGate, type SilenceGateOptions } from './silence-gate.js';
import type { SileroModel, SileroVersion } from './silero-model.js';

/**
 * What every Silero detector checks and guarantees, wherever inference runs: frames of
 * exactly `frameSamples`, nothing after close(), and close() waiting for frames in flight.
 * With a silence gate, frames of digital silence answer 0 without the model (see SilenceGate).
 */
export abstract class SileroDetector implements VoiceActivityDetector {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly version: SileroVersion;
  #last: Promise<unknown> = Promise.resolve();
  /** The previous frame's answer: a skipped frame settles after it, and fails if it failed (a crashed worker). */
  #lastAnswer: Promise<number> = Promise.resolve(0);
  #closed = false;
  readonly #gate: SilenceGate | null;
  readonly #replay = (held: Int16Array): void => void this.infer(held).catch(() => undefined);

  constructor(sampleRate: number, frameSamples: number, version: SileroVersion, gate: Partial<SilenceGateOptions> | null = null) {
    this.sampleRate = sampleRate;
    this.frameSamples = frameSamples;
    this.version = version;
    this.#gate = gate ? new SilenceGate(frameSamples, gate) : null;
  }

  /** Frames answered by the silence gate without the model. */
  get gatedFrames(): number {
    return this.#gate?.skipped ?? 0;
  }

  process(frame: Int16Array): Promise<number> {
    if (frame.length !== this.frameSamples) {
      return Promise.reject(new RangeError(`Silero expects ${this.frameSamples} samples per frame, got ${frame.length}`));
    }
    if (this.#closed) return Promise.reject(new Error('VAD is closed'));
    const result = this.#gate && !this.#gate.admit(frame, this.#replay) ? this.#lastAnswer.then(() => 0) : this.infer(frame);
    this.#lastAnswer = result;
    this.#last = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#last;
    this.release();
  }

  reset(): void {
    this.#gate?.reset();
    this.resetState();
  }

  /** Zero the recurrent state before the next frame. */
  protected abstract resetState(): void;
  /** Keeps this detector's frames in order; copies `frame` before returning (callers reuse it). */
  protected abstract infer(frame: Int16Array): Promise<number>;
  protected abstract release(): void;
}

/** Inference on the calling thread: the baseline the worker is measured against. */
export class InThreadSileroVad extends SileroDetector {
  readonly #model: SileroModel;
  readonly #state: Float32Array;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(model: SileroModel, sampleRate: number, gate: Partial<SilenceGateOptions> | null = null) {
    super(sampleRate, model.frameSamples, model.version, gate);
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

  protected resetState(): void {
    // Queued behind the frames already submitted, like the worker's reset.
    this.#queue = this.#queue.then(() => this.#state.fill(0));
  }

  protected release(): void {}
}
