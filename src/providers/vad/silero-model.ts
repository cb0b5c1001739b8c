import { existsSync } from 'node:fs';
import ort from 'onnxruntime-node';

export type SileroVersion = 'v4' | 'v5';

/** What a loaded model can do; the worker reports it back to the main thread. */
export interface SileroModelInfo {
  version: SileroVersion;
  /** Rows of one inference are independent calls (checked by running a batch of 2 at load). */
  batchable: boolean;
}

/** Recurrent state of each export: tensors of [2, batch, width]. */
const STATE_LAYOUT: Record<SileroVersion, { inputs: string[]; outputs: string[]; width: number }> = {
  v4: { inputs: ['h', 'c'], outputs: ['hn', 'cn'], width: 64 },
  v5: { inputs: ['state'], outputs: ['stateN'], width: 128 },
};

/**
 * Window lengths Silero was trained on: v4 on 32, 64 and 96 ms (512, 1024, 1536 samples at
 * 16 kHz; 256, 512, 768 at 8 kHz), v5 on 32 ms only. A v4 inference costs little more for a
 * longer window (the recurrent part runs once per window), so longer windows cost less per
 * second of audio: measured on the shipped v4 model, batches of 128, 1 thread: 3.0 ms of CPU
 * per second of audio at 32 ms, 1.9 at 64 ms, 1.6 at 96 ms.
 */
export const SILERO_WINDOWS_MS = [32, 64, 96] as const;
export type SileroWindowMs = (typeof SILERO_WINDOWS_MS)[number];

/** Samples of one window: 512 at 16 kHz / 32 ms (the default), 256 at 8 kHz. */
export const sileroFrameSamples = (sampleRate: number, windowMs: SileroWindowMs = 32): number =>
  ((sampleRate === 8000 ? 256 : 512) * windowMs) / 32;

/** Past ~128 rows an inference gets no cheaper per frame (measured on the shipped v4 model). */
export const MAX_BATCH = 128;

interface BatchFeeds {
  input: Float32Array;
  states: Float32Array[];
  feeds: Record<string, ort.Tensor>;
}

/**
 * One Silero session and the arithmetic around it, shared by the in-thread detector and the
 * worker. A call's recurrent state is one Float32Array (`newState()`) that `infer()` advances
 * in place, so whoever owns the state decides where it lives.
 */
export class SileroModel implements SileroModelInfo {
  readonly version: SileroVersion;
  readonly frameSamples: number;
  batchable = false;
  readonly #session: ort.InferenceSession;
  readonly #sr: ort.Tensor;
  readonly #layout: { inputs: string[]; outputs: string[]; width: number };
  readonly #feeds = new Map<number, BatchFeeds>();
  #running: Promise<unknown> = Promise.resolve();

  private constructor(session: ort.InferenceSession, version: SileroVersion, sampleRate: number, windowMs: SileroWindowMs) {
    this.#session = session;
    this.version = version;
    this.frameSamples = sileroFrameSamples(sampleRate, windowMs);
    this.#sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(sampleRate)]), []);
    this.#layout = STATE_LAYOUT[version];
  }

  static async load(modelPath: string, sampleRate: number, intraOpThreads: number, windowMs: SileroWindowMs = 32): Promise<SileroModel> {
    if (!existsSync(modelPath)) throw new Error(`Silero VAD model not found at ${modelPath}`);
    if (!SILERO_WINDOWS_MS.includes(windowMs)) throw new RangeError(`Silero windows are ${SILERO_WINDOWS_MS.join(', ')} ms, not ${windowMs}`);
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const names = new Set(session.inputNames);
    const version: SileroVersion | null = names.has('state') ? 'v5' : names.has('h') && names.has('c') ? 'v4' : null;
    if (!version) {
      await session.release();
      throw new Error(`${modelPath} is not a Silero VAD model (inputs: ${session.inputNames.join(', ')})`);
    }
    if (version === 'v5' && windowMs !== 32) {
      await session.release();
      throw new Error(`${modelPath} is Silero v5, trained on 32 ms windows only: set providers.vad.window_ms to 32 (the ${windowMs} ms window needs the v4 model)`);
    }
    const model = new SileroModel(session, version, sampleRate, windowMs);
    model.batchable = await model.#batchGivesSameAnswers();
    return model;
  }

  get info(): SileroModelInfo {
    return { version: this.version, batchable: this.batchable };
  }

  newState(): Float32Array {
    return new Float32Array(this.#layout.inputs.length * 2 * this.#layout.width);
  }

  /** Probability of one frame; advances `state`. */
  async inferOne(frame: Int16Array, state: Float32Array): Promise<number> {
    const out = new Float32Array(1);
    await this.#run([frame], [state], out, 0);
    return out[0]!;
  }

  /**
   * Probabilities of frames of different calls (`frames[i]` advances `states[i]`; a call
   * appears at most once). Batched when the model allows, one by one otherwise.
   * Returns how many inferences it took.
   */
  async infer(frames: Int16Array[], states: Float32Array[], out: Float32Array): Promise<number> {
    const step = this.batchable ? MAX_BATCH : 1;
    let runs = 0;
    for (let start = 0; start < frames.length; start += step, runs++) {
      const end = Math.min(frames.length, start + step);
      await this.#run(frames.slice(start, end), states.slice(start, end), out, start);
    }
    return runs;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }

  /**
   * Runs never overlap: ORT defers `run()` by a tick and the input tensors of a batch size are
   * shared, so two callers (two in-thread calls) would overwrite each other's frames.
   */
  #run(frames: Int16Array[], states: Float32Array[], out: Float32Array, outOffset: number): Promise<void> {
    const run = this.#running.then(() => this.#runNow(frames, states, out, outOffset));
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #runNow(frames: Int16Array[], states: Float32Array[], out: Float32Array, outOffset: number): Promise<void> {
    const rows = frames.length;
    const n = this.frameSamples;
    const { input, states: stateInputs, feeds } = this.#feedsFor(rows);
    const { outputs, width } = this.#layout;
    for (let b = 0; b < rows; b++) {
      const frame = frames[b]!;
      for (let i = 0; i < n; i++) input[b * n + i] = frame[i]! / 32768;
    }
    // A call's state is [tensor][layer][width]; the model's is [layer][batch][width] per tensor.
    for (let t = 0; t < stateInputs.length; t++) {
      for (let b = 0; b < rows; b++) {
        for (let layer = 0; layer < 2; layer++) {
          const from = (t * 2 + layer) * width;
          stateInputs[t]!.set(states[b]!.subarray(from, from + width), (layer * rows + b) * width);
        }
      }
    }
    const result = await this.#session.run(feeds);
    const probabilities = result.output!.data as Float32Array;
    if (probabilities.length !== rows) throw new Error(`Silero returned ${probabilities.length} probabilities for ${rows} frames`);
    for (let t = 0; t < outputs.length; t++) {
      const next = result[outputs[t]!]!.data as Float32Array;
      for (let b = 0; b < rows; b++) {
        for (let layer = 0; layer < 2; layer++) {
          const at = (layer * rows + b) * width;
          states[b]!.set(next.subarray(at, at + width), (t * 2 + layer) * width);
        }
      }
    }
    out.set(probabilities, outOffset);
  }

  /** Tensors are kept per batch size, so steady traffic allocates no ORT inputs. */
  #feedsFor(rows: number): BatchFeeds {
    let cached = this.#feeds.get(rows);
    if (cached) return cached;
    const { inputs, width } = this.#layout;
    const input = new Float32Array(rows * this.frameSamples);
    const states = inputs.map(() => new Float32Array(2 * rows * width));
    const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', input, [rows, this.frameSamples]), sr: this.#sr };
    inputs.forEach((name, t) => (feeds[name] = new ort.Tensor('float32', states[t]!, [2, rows, width])));
    this.#feeds.set(rows, (cached = { input, states, feeds }));
    return cached;
  }

  /**
   * Metadata says `batch` for every export, but a graph can still mix rows (our v5 fixture
   * does): trust batching only if two frames together give what they give alone.
   */
  async #batchGivesSameAnswers(): Promise<boolean> {
    const n = this.frameSamples;
    const tone = Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    const frames = [new Int16Array(n), tone];
    try {
      const alone = new Float32Array(2);
      const aloneStates = [this.newState(), this.newState()];
      await this.#run([frames[0]!], [aloneStates[0]!], alone, 0);
      await this.#run([frames[1]!], [aloneStates[1]!], alone, 1);
      const together = new Float32Array(2);
      const togetherStates = [this.newState(), this.newState()];
      await this.#run(frames, togetherStates, together, 0);
      const close = (a: Float32Array, b: Float32Array): boolean => a.every((v, i) => Math.abs(v - b[i]!) < 1e-5);
      return close(alone, together) && close(aloneStates[0]!, togetherStates[0]!) && close(aloneStates[1]!, togetherStates[1]!);
    } catch {
      return false;
    } finally {
      this.#feeds.delete(2);
    }
  }
}
