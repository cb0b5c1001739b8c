import { Worker } from 'node:worker_threads';
import type { Logger } from '../ops/logger.js';
import { rememberSecret } from '../ops/redact.js';
import { workerEntry } from '../ops/worker-entry.js';
import type { Db } from '../db/open.js';
import { markForRetry, type Dispatcher, type DispatcherOptions } from './dispatcher.js';
import type { DispatcherWorkerData, FromDispatcherThread, ToDispatcherThread } from './dispatcher-protocol.js';

const WORKER = workerEntry(import.meta.url, 'dispatcher-worker');
/** After the thread dies unasked, it is started again this much later (deliveries wait in the outbox meanwhile). */
const RESPAWN_DELAY_MS = 1000;
const YOUNG_GENERATION_MB = 4;
/**
 * Webhooks yield a busy CPU to the media clock, as the VAD worker does: at 200 calls on two
 * vCPUs this kept voice-to-voice p95 at 794-841 ms against 807-959 at nice 0, webhooks still
 * out in 14-21 ms on average. On a CPU with room the thread runs as soon as it has work.
 */
const NICENESS = 10;

export type DispatcherThreadOptions = Omit<DispatcherWorkerData, 'logLevel' | 'niceness'> & {
  log: Logger;
  /** The caller's (main thread's) connection to the same database: a retry asked after `stop()` is written through it, without starting the thread again. */
  db: Db;
  onAttempt?: DispatcherOptions['onAttempt'];
};

/**
 * The webhook dispatcher on a worker thread of its own. At a few hundred calls webhook
 * delivery (outbox queries, HTTP requests, attempt bookkeeping) is a tenth of a core; on the
 * main thread every bit of it delays the media clock and the agents' turns behind it. The
 * thread opens its own connection to the same database file (WAL: readers and one writer
 * at a time), so the outbox stays the single source of truth and a crash loses nothing.
 * Kicks are coalesced to one message per event-loop turn. The thread never keeps the
 * process alive; `stop()` ends it.
 */
export class DispatcherThread implements Dispatcher {
  readonly #o: DispatcherThreadOptions;
  #worker: Worker | null = null;
  #running = false;
  #stopped = false;
  #kickQueued = false;
  #nextReq = 1;
  readonly #pending = new Map<number, { resolve(): void; reject(err: Error): void }>();
  #respawnTimer: NodeJS.Timeout | null = null;

  constructor(options: DispatcherThreadOptions) {
    this.#o = options;
  }

  start(): void {
    this.#running = true;
    this.#post({ type: 'start' });
  }

  kick(): void {
    if (!this.#running || this.#kickQueued) return;
    this.#kickQueued = true;
    setImmediate(() => {
      this.#kickQueued = false;
      if (this.#running && this.#worker) this.#worker.postMessage({ type: 'kick' } satisfies ToDispatcherThread);
    });
  }

  /**
   * Once stopped (shutdown: an API request still in on a kept-alive connection), the delivery
   * is only marked due in the outbox, for the next start to send; the thread stays ended.
   */
  retry(id: string): Promise<void> {
    if (this.#stopped) return markForRetry(this.#o.db, id);
    return this.#request((req) => ({ type: 'retry', req, id }));
  }

  /** A drain that fails (the thread died meanwhile) is logged: shutdown goes on, the outbox keeps what is left. */
  async drain(timeoutMs: number): Promise<void> {
    if (!this.#running) return;
    await this.#request((req) => ({ type: 'drain', req, timeoutMs }))
      .catch((err) => this.#o.log.warn({ err }, 'webhook delivery thread did not finish its drain'));
  }

  async stop(): Promise<void> {
    if (this.#respawnTimer) clearTimeout(this.#respawnTimer);
    const worker = this.#worker;
    this.#running = false;
    this.#stopped = true;
    if (!worker) return;
    await this.#request((req) => ({ type: 'stop', req })).catch((err) => this.#o.log.warn({ err }, 'webhook delivery thread did not stop cleanly'));
    await worker.terminate();
  }

  /** Tests: end the thread the way a crash would (it is started again after a second). */
  crashDrill(): void {
    this.#worker?.postMessage({ type: 'crash' } satisfies ToDispatcherThread);
  }

  #request(message: (req: number) => ToDispatcherThread): Promise<void> {
    const req = this.#nextReq++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(req, { resolve, reject });
      this.#post(message(req));
    });
  }

  #post(msg: ToDispatcherThread): void {
    this.#worker ??= this.#spawn();
    this.#worker.postMessage(msg);
  }

  #spawn(): Worker {
    const { log, onAttempt: _onAttempt, db: _db, ...rest } = this.#o;
    const workerData: DispatcherWorkerData = { ...rest, logLevel: log.level, niceness: NICENESS };
    // A small young generation: this thread's garbage is a few MB a second and nothing in it
    // is latency-bound, so it collects more often instead of growing its heap by tens of MB.
    const worker = new Worker(WORKER.entry, { eval: WORKER.eval, workerData, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    worker.unref();
    worker.on('message', (msg: FromDispatcherThread) => this.#onMessage(msg));
    worker.on('error', (err) => log.error({ err }, 'webhook delivery thread failed'));
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      const err = new Error(`webhook delivery thread exited (code ${code})`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      if (!this.#running) return; // stopped: no restart
      log.error({ code }, 'webhook delivery thread exited; starting it again (deliveries wait in the outbox)');
      this.#respawnTimer = setTimeout(() => {
        this.#respawnTimer = null;
        if (this.#running && !this.#worker) this.#post({ type: 'start' });
      }, RESPAWN_DELAY_MS);
      this.#respawnTimer.unref();
    });
    return worker;
  }

  #onMessage(msg: FromDispatcherThread): void {
    if (msg.type === 'attempt') {
      this.#o.onAttempt?.(msg.outcome, msg.durationMs);
    } else if (msg.type === 'log') {
      const log = Object.keys(msg.bindings).length > 0 ? this.#o.log.child(msg.bindings) : this.#o.log;
      log[msg.level](msg.obj, msg.msg);
    } else if (msg.type === 'secret') {
      rememberSecret(msg.value);
    } else {
      const p = this.#pending.get(msg.req);
      this.#pending.delete(msg.req);
      if (msg.error === null) p?.resolve();
      else p?.reject(new Error(msg.error));
    }
  }
}
