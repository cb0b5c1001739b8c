import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../ops/worker-entry.js';
import type { SilenceGateOptions } from './silence-gate.js';
import { SileroDetector } from './silero-detector.js';
import type { SileroModelInfo } from './silero-model.js';
import { Op, type CrashDrill, type FrameBatch, type SileroWorkerData, type WorkerReply } from './silero-protocol.js';

/** Counters for tests and benchmarks: frames per inference shows how well calls batch. */
export interface SileroVadStats {
  frames: number;
  /** Messages sent to workers. */
  batches: number;
  /** `session.run()` calls in the workers. */
  inferences: number;
  /** Workers that died without being asked to. */
  crashes: number;
}

const WORKER = workerEntry(import.meta.url, 'silero-worker');
const INITIAL_CAPACITY_FRAMES = 32;
/** After a crash, frames of running calls restart the worker at most this often (new calls always may). */
const RESPAWN_INTERVAL_MS = 1000;

interface Pending {
  resolve(probability: number): void;
  reject(err: Error): void;
}

/**
 * One worker thread and the frames on their way to it. Frames submitted while the worker is
 * idle leave together at the end of the event-loop turn (setImmediate), or `batchWindowMs`
 * after the first of them; frames submitted while a batch is in flight leave together when
 * it returns, so batches grow with load.
 * The worker is unref'd while idle: a forgotten close() never keeps the process alive.
 */
export class SileroWorkerThread {
  readonly #data: SileroWorkerData;
  readonly #frameSamples: number;
  readonly #stats: SileroVadStats;
  #worker: Worker | null = null;
  #ready: Promise<SileroModelInfo> | null = null;
  #exited: Promise<void> = Promise.resolve();
  #closing = false;
  #ops: Int32Array = new Int32Array(INITIAL_CAPACITY_FRAMES * 2);
  #opCount = 0;
  #pcm: Int16Array;
  #frameCount = 0;
  #staged: Pending[] = [];
  #inFlight: Pending[] | null = null;
  /** Settles when the batch in flight is answered or abandoned. */
  #inFlightDone: Promise<void> = Promise.resolve();
  #settleInFlight: () => void = () => {};
  /** Buffers of the last batch, handed back by the worker: staging swaps to them, so steady traffic allocates none. */
  #spare: FrameBatch | null = null;
  #flushScheduled = false;
  #lastCrash: { at: number; error: Error } | null = null;

  readonly #batchWindowMs: number;

  constructor(data: SileroWorkerData, frameSamples: number, stats: SileroVadStats, batchWindowMs = 0) {
    this.#data = data;
    this.#batchWindowMs = batchWindowMs;
    this.#frameSamples = frameSamples;
    this.#stats = stats;
    this.#pcm = new Int16Array(INITIAL_CAPACITY_FRAMES * frameSamples);
  }

  get running(): boolean {
    return this.#worker !== null;
  }

  /** Starts the worker if none runs; resolves once its model is loaded. */
  start(): Promise<SileroModelInfo> {
    if (!this.#worker || !this.#ready) this.#ready = this.#spawn();
    return this.#ready;
  }

  submit(id: number, op: number, frame: Int16Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#stage(id, op, frame);
      this.#staged.push({ resolve, reject });
      this.#stats.frames++;
    });
  }

  /** Forget a closed detector's state. */
  drop(id: number): void {
    if (this.#worker) this.#stage(id, Op.drop, null);
  }

  /**
   * Ends the worker; frames not yet answered are rejected. A later start() spawns a new one.
   * A batch already inside ORT is let finish first (up to 2 s): terminating the worker in the
   * middle of `session.run()` can abort the whole process from ORT's native callback.
   */
  async close(): Promise<void> {
    this.#closing = true;
    try {
      await Promise.race([this.#inFlightDone, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await this.#worker?.terminate();
      await this.#exited;
    } finally {
      this.#closing = false;
    }
  }

  /** Makes the worker exit the way a crash would (tests, drills), between ORT calls (see CrashDrill). */
  async kill(): Promise<void> {
    if (!this.#worker) return;
    this.#worker.postMessage({ type: 'crash' } satisfies CrashDrill);
    await this.#exited;
  }

  #spawn(): Promise<SileroModelInfo> {
    const worker = new Worker(WORKER.entry, { eval: WORKER.eval, workerData: this.#data });
    worker.unref();
    this.#worker = worker;
    let lastError: Error | undefined;
    let exited!: () => void;
    this.#exited = new Promise((resolve) => (exited = resolve));
    const ready = new Promise<SileroModelInfo>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') return resolve(reply.info);
        if (reply.type === 'load_failed') {
          // Like a missing model file: fail this start, let a later one retry.
          const err = new Error(reply.message);
          reject(err);
          this.#abandon(worker, err);
          return;
        }
        this.#onReply(reply);
      });
      worker.on('error', (err) => (lastError = err));
      worker.on('exit', (code) => {
        const reason = this.#closing ? 'closed' : `exited unexpectedly (code ${code}${lastError ? `: ${lastError.message}` : ''})`;
        const err = new Error(`Silero VAD worker ${reason}; frames in flight are lost`);
        reject(err);
        if (this.#worker === worker) {
          if (!this.#closing) {
            this.#stats.crashes++;
            this.#lastCrash = { at: performance.now(), error: err };
          }
          this.#abandon(worker, err);
        }
        exited();
      });
    });
    ready.catch(() => undefined); // a caller of start() sees it; frames see their own rejection
    return ready;
  }

  /** Detach from a worker that is gone or useless: everything it owed fails, the next frame respawns. */
  #abandon(worker: Worker, err: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#ready = null;
    const inFlight = this.#inFlight ?? [];
    this.#inFlight = null;
    this.#settleInFlight();
    for (const pending of inFlight) pending.reject(err);
    this.#rejectStaged(err);
    void worker.terminate();
  }

  #rejectStaged(err: Error): void {
    const staged = this.#staged;
    this.#staged = [];
    this.#opCount = 0;
    this.#frameCount = 0;
    for (const pending of staged) pending.reject(err);
  }

  #onReply(reply: Extract<WorkerReply, { type: 'results' | 'failed' }>): void {
    const batch = this.#inFlight ?? [];
    this.#inFlight = null;
    this.#settleInFlight();
    if (reply.type === 'results') {
      this.#spare = reply.returned;
      this.#stats.inferences += reply.inferences;
      batch.forEach((pending, i) => pending.resolve(reply.probabilities[i]!));
    } else {
      const err = new Error(`Silero VAD inference failed: ${reply.message}`);
      for (const pending of batch) pending.reject(err);
    }
    if (this.#opCount > 0) this.#scheduleFlush(true); // they have waited for the whole batch already
    else this.#worker?.unref();
  }

  #stage(id: number, op: number, frame: Int16Array | null): void {
    if (this.#opCount * 2 === this.#ops.length) this.#ops = grow(this.#ops);
    this.#ops[this.#opCount * 2] = id;
    this.#ops[this.#opCount * 2 + 1] = op;
    this.#opCount++;
    if (frame) {
      const at = this.#frameCount * this.#frameSamples;
      if (at === this.#pcm.length) this.#pcm = grow(this.#pcm);
      this.#pcm.set(frame, at);
      this.#frameCount++;
    }
    this.#scheduleFlush();
  }

  #scheduleFlush(now = false): void {
    if (this.#flushScheduled || this.#inFlight) return;
    this.#flushScheduled = true;
    if (now || this.#batchWindowMs <= 0) setImmediate(() => this.#flush());
    else setTimeout(() => this.#flush(), this.#batchWindowMs);
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#inFlight || this.#opCount === 0) return;
    if (!this.#worker) {
      const crash = this.#lastCrash;
      if (crash && performance.now() - crash.at < RESPAWN_INTERVAL_MS) return this.#rejectStaged(crash.error);
      this.start();
    }
    const ops = this.#ops.subarray(0, this.#opCount * 2);
    const pcm = this.#pcm.subarray(0, this.#frameCount * this.#frameSamples);
    const capacity = [this.#ops.length, this.#pcm.length] as const;
    this.#inFlight = this.#staged;
    this.#inFlightDone = new Promise((resolve) => (this.#settleInFlight = resolve));
    this.#staged = [];
    // The buffers move to the worker (detached here); staging goes on in the spare ones.
    this.#worker!.postMessage({ ops, pcm }, [ops.buffer as ArrayBuffer, pcm.buffer as ArrayBuffer]);
    const spare = this.#spare;
    this.#spare = null;
    this.#ops = spare && spare.ops.length >= capacity[0] ? spare.ops : new Int32Array(capacity[0]);
    this.#pcm = spare && spare.pcm.length >= capacity[1] ? spare.pcm : new Int16Array(capacity[1]);
    this.#opCount = 0;
    this.#frameCount = 0;
    this.#stats.batches++;
    this.#worker!.ref();
  }
}

function grow<T extends Int16Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** A call's detector whose state lives in the worker, under `id`. */
export class WorkerSileroVad extends SileroDetector {
  readonly #thread: SileroWorkerThread;
  readonly #id: number;
  #resetPending = false;

  constructor(thread: SileroWorkerThread, id: number, sampleRate: number, frameSamples: number, info: SileroModelInfo, gate: Partial<SilenceGateOptions> | null = null) {
    super(sampleRate, frameSamples, info.version, gate);
    this.#thread = thread;
    this.#id = id;
  }

  protected infer(frame: Int16Array): Promise<number> {
    // Frames of one detector reach the worker in submission order, so no queue is needed here.
    const op = this.#resetPending ? Op.frameAfterReset : Op.frame;
    this.#resetPending = false;
    return this.#thread.submit(this.#id, op, frame);
  }

  /** Applies to the next frame, in the worker, after the frames before it. */
  protected resetState(): void {
    this.#resetPending = true;
  }

  protected release(): void {
    this.#thread.drop(this.#id);
  }
}
