import type { RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../ops/logger.js';
import { workerEntry } from '../ops/worker-entry.js';
import { DatagramBatchWriter, readDatagramBatch } from './datagram-batch.js';
import type { DatagramSocket } from './datagram-socket.js';
import { toMonoMs } from './mono-time.js';
import type { FromUdpThread, ToUdpThread, UdpThreadData } from './udp-protocol.js';

const WORKER = workerEntry(import.meta.url, 'udp-worker');

/**
 * RTP and RTCP sockets whose I/O runs on a worker thread (see `udp-worker.ts`). At a few
 * hundred calls the main thread otherwise spends most of its media time in the kernel and in
 * Node's per-datagram work, and is woken for nearly every packet; here it handles datagrams
 * in batches. Sends are batched until `flush()` (the media clock calls it after each
 * sub-tick's sends) or the end of the current task. Like a socket on the main thread, the
 * thread keeps the process alive while a socket is open or a bind/close is pending, not longer.
 *
 * `sendLeadMs`: a sub-tick's packets, flushed with the time the sub-tick was due, leave the
 * thread that much later, on its own timer. The main thread then produces each frame a lead
 * ahead of the wire, and its stalls shorter than the lead (GC, call set-up) cost no jitter;
 * the price is the lead, added once to what the caller hears.
 */
export interface UdpThreadOptions {
  sendLeadMs?: number;
  /** How late each batch with a due time left the thread (ms), reported about once a second; without it the thread keeps no count. */
  onSendLateness?: (ms: number) => void;
}

export class UdpThread {
  readonly #log: Logger;
  readonly #sendLeadMs: number;
  readonly #onSendLateness: ((ms: number) => void) | null;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #sockets = new Map<number, ThreadSocket>();
  readonly #binds = new Map<number, (ok: boolean) => void>();
  readonly #closes = new Map<number, () => void>();
  readonly #out = new DatagramBatchWriter();
  #flushQueued = false;
  #ready: Promise<void> = Promise.resolve();
  #onReady: () => void = () => {};
  #booting = false;

  constructor(log: Logger, options: UdpThreadOptions = {}) {
    this.#log = log;
    this.#sendLeadMs = options.sendLeadMs ?? 0;
    this.#onSendLateness = options.onSendLateness ?? null;
  }

  get sendLeadMs(): number {
    return this.#sendLeadMs;
  }

  /** Start the thread now; resolves once it listens (booting it takes a second or two under tsx). */
  start(): Promise<void> {
    this.#worker ??= this.#spawn();
    return this.#ready;
  }

  /** A socket bound to `address:port` on the thread, or null when the port is taken. */
  bind(address: string, port: number): Promise<ThreadSocket | null> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#binds.set(id, (ok) => {
        this.#binds.delete(id);
        const socket = ok ? new ThreadSocket(this, id) : null;
        if (socket) this.#sockets.set(id, socket);
        this.#holdWhileBusy();
        resolve(socket);
      });
      this.#post({ type: 'bind', id, address, port, udp6: isIPv6(address) });
      this.#holdWhileBusy();
    });
  }

  send(id: number, msg: Uint8Array, port: number, address: string): void {
    this.#out.add(id, port, address, msg);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  /**
   * Hand the datagrams sent so far to the thread: to leave a send lead after `idealMs` (a
   * `performance.now()` time: when the media clock's sub-tick was due), or at once without it.
   */
  flush = (idealMs?: number): void => {
    this.#flushQueued = false;
    if (this.#out.empty) return;
    const { buffer, length } = this.#out.take();
    const dueMs = idealMs !== undefined && this.#sendLeadMs > 0 ? toMonoMs(idealMs + this.#sendLeadMs) : 0;
    this.#post({ type: 'send', buffer, length, dueMs }, [buffer]);
  };

  close(id: number): Promise<void> {
    this.flush(); // its last packets leave before it closes
    this.#sockets.delete(id);
    if (!this.#worker) return Promise.resolve();
    return new Promise((resolve) => {
      this.#closes.set(id, () => {
        this.#closes.delete(id);
        this.#holdWhileBusy();
        resolve();
      });
      this.#post({ type: 'close', id });
      this.#holdWhileBusy();
    });
  }

  #holdWhileBusy(): void {
    if (this.#booting || this.#sockets.size + this.#binds.size + this.#closes.size > 0) this.#worker?.ref();
    else this.#worker?.unref();
  }

  #post(msg: ToUdpThread, transfer: ArrayBuffer[] = []): void {
    this.#worker ??= this.#spawn();
    this.#worker.postMessage(msg, transfer);
  }

  #spawn(): Worker {
    const workerData: UdpThreadData = { reportLateness: this.#onSendLateness !== null };
    const worker = new Worker(WORKER.entry, { eval: WORKER.eval, workerData });
    this.#booting = true;
    this.#ready = new Promise((resolve) => (this.#onReady = () => {
      this.#booting = false;
      this.#holdWhileBusy();
      resolve();
    }));
    worker.on('message', (msg: FromUdpThread) => this.#onMessage(msg));
    worker.on('error', (err) => this.#log.error({ err }, 'UDP I/O thread failed'));
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      // Its sockets died with it: every session hears an error, binds and closes settle.
      this.#onReady();
      const err = new Error(`UDP I/O thread exited (code ${code}); its sockets are closed`);
      for (const socket of this.#sockets.values()) socket.emitError(err);
      this.#sockets.clear();
      for (const done of [...this.#binds.values()]) done(false);
      for (const done of [...this.#closes.values()]) done();
    });
    // A 'message' listener refs the worker's port: booting holds the process, then only open sockets do.
    return worker;
  }

  #onMessage(msg: FromUdpThread): void {
    if (msg.type === 'ready') {
      this.#onReady();
    } else if (msg.type === 'received') {
      readDatagramBatch(msg.buffer, msg.length, (id, port, address, payload) => this.#sockets.get(id)?.deliver(payload, port, address));
    } else if (msg.type === 'bound') {
      this.#binds.get(msg.id)?.(msg.ok);
    } else if (msg.type === 'lateness') {
      if (this.#onSendLateness) for (const ms of msg.samples) this.#onSendLateness(ms);
    } else if (msg.type === 'error') {
      this.#sockets.get(msg.id)?.emitError(Object.assign(new Error(msg.message), { code: msg.code }));
    } else {
      this.#closes.get(msg.id)?.();
    }
  }
}

type MessageListener = (msg: Buffer, rinfo: RemoteInfo) => void;
type ErrorListener = (err: Error) => void;

/** One socket on the UDP thread, as the RTP session and RTCP channel see it. */
export class ThreadSocket implements DatagramSocket {
  readonly #thread: UdpThread;
  readonly #id: number;
  #onMessage: MessageListener[] = [];
  #onError: ErrorListener[] = [];
  #closed: Promise<void> | null = null;

  constructor(thread: UdpThread, id: number) {
    this.#thread = thread;
    this.#id = id;
  }

  on(event: 'message' | 'error', listener: MessageListener | ErrorListener): this {
    if (event === 'message') this.#onMessage = [...this.#onMessage, listener as MessageListener];
    else this.#onError = [...this.#onError, listener as ErrorListener];
    return this;
  }

  off(event: 'message', listener: MessageListener): this {
    this.#onMessage = this.#onMessage.filter((l) => l !== listener);
    return this;
  }

  send(msg: Buffer, port: number, address: string, callback?: (err: Error | null) => void): void {
    if (this.#closed) {
      callback?.(new Error('socket closed'));
      return;
    }
    this.#thread.send(this.#id, msg, port, address);
    if (callback) queueMicrotask(() => callback(null));
  }

  close(callback?: () => void): this {
    this.#closed ??= this.#thread.close(this.#id);
    if (callback) void this.#closed.then(callback);
    return this;
  }

  deliver(payload: Buffer, port: number, address: string): void {
    const rinfo: RemoteInfo = { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port, size: payload.length };
    for (const listener of this.#onMessage) listener(payload, rinfo);
  }

  emitError(err: Error): void {
    for (const listener of this.#onError) listener(err);
  }
}
