import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../ops/logger.js';

export const AUDIO_FORK_SUBPROTOCOL = 'audio.drachtio.org';

export interface AudioForkServerOptions {
  host: string;
  port: number;
  /** A socket must name its call in its first (metadata) frame within this time. */
  metadataTimeoutMs: number;
  /** How long a fork connection may wait for its call to claim it (and vice versa). */
  claimTimeoutMs: number;
  /** Largest frame accepted from FreeSWITCH (bytes). */
  maxPayload: number;
}

export const defaultAudioForkServerOptions: AudioForkServerOptions = {
  host: '0.0.0.0', port: 8090, metadataTimeoutMs: 5000, claimTimeoutMs: 10_000, maxPayload: 64 * 1024,
};

interface Waiter { resolve(ws: WebSocket): void; reject(err: Error): void; timer: NodeJS.Timeout }

/**
 * The WebSocket server mod_audio_fork (inside FreeSWITCH) connects back to. Each connection
 * opens with a JSON text frame carrying the metadata we passed to `uuid_audio_fork`
 * (`{callId}`), which pairs it with its call; then binary L16 PCM flows.
 */
export class AudioForkServer {
  readonly #opts: AudioForkServerOptions;
  readonly #log: Logger;
  #wss: WebSocketServer | null = null;
  readonly #waiters = new Map<string, Waiter>();
  readonly #early = new Map<string, { ws: WebSocket; timer: NodeJS.Timeout }>();
  #rejected = 0;

  constructor(opts: Partial<AudioForkServerOptions>, log: Logger) {
    this.#opts = { ...defaultAudioForkServerOptions, ...opts };
    this.#log = log;
  }

  get port(): number {
    const addr = this.#wss?.address();
    return addr && typeof addr === 'object' ? addr.port : this.#opts.port;
  }

  /** Connections refused (bad subprotocol, bad metadata, unknown call). */
  get rejected(): number { return this.#rejected; }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({
        host: this.#opts.host, port: this.#opts.port, maxPayload: this.#opts.maxPayload,
        handleProtocols: (protocols) => (protocols.has(AUDIO_FORK_SUBPROTOCOL) ? AUDIO_FORK_SUBPROTOCOL : false),
      });
      wss.once('listening', () => { this.#wss = wss; resolve(); });
      wss.once('error', reject);
      wss.on('connection', (ws, req) => this.#onConnection(ws, req));
    });
  }

  /** Resolves with the fork socket of `callId` once FreeSWITCH has connected it. */
  claim(callId: string): Promise<WebSocket> {
    const early = this.#early.get(callId);
    if (early) {
      this.#early.delete(callId);
      clearTimeout(early.timer);
      return Promise.resolve(early.ws);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(callId);
        reject(new Error(`audio fork for ${callId} did not connect within ${this.#opts.claimTimeoutMs} ms`));
      }, this.#opts.claimTimeoutMs);
      this.#waiters.set(callId, { resolve, reject, timer });
    });
  }

  /** Give up waiting for a call's fork (call ended before media came up). */
  release(callId: string): void {
    const w = this.#waiters.get(callId);
    if (w) { clearTimeout(w.timer); this.#waiters.delete(callId); w.reject(new Error('call ended')); }
  }

  async stop(): Promise<void> {
    for (const [id] of this.#waiters) this.release(id);
    for (const { ws, timer } of this.#early.values()) { clearTimeout(timer); ws.terminate(); }
    this.#early.clear();
    const wss = this.#wss;
    this.#wss = null;
    if (!wss) return;
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  #refuse(ws: WebSocket, why: string): void {
    this.#rejected++;
    this.#log.warn({ why }, 'audio fork connection refused');
    ws.close(1008, why);
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    if (ws.protocol !== AUDIO_FORK_SUBPROTOCOL) return this.#refuse(ws, 'subprotocol');
    ws.on('error', (err) => this.#log.debug({ err: err.message, peer: req.socket.remoteAddress }, 'audio fork socket error'));
    const timer = setTimeout(() => this.#refuse(ws, 'no metadata'), this.#opts.metadataTimeoutMs);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      const callId = isBinary ? null : parseCallId(data.toString());
      if (!callId) return this.#refuse(ws, 'bad metadata');
      const waiter = this.#waiters.get(callId);
      if (waiter) {
        this.#waiters.delete(callId);
        clearTimeout(waiter.timer);
        waiter.resolve(ws);
        return;
      }
      if (this.#early.has(callId)) return this.#refuse(ws, 'duplicate call');
      // FreeSWITCH can connect before uuid_audio_fork's +OK reaches us: hold the socket briefly.
      const early = setTimeout(() => { this.#early.delete(callId); this.#refuse(ws, 'unknown call'); }, this.#opts.claimTimeoutMs);
      this.#early.set(callId, { ws, timer: early });
    });
  }
}

function parseCallId(text: string): string | null {
  try {
    const meta = JSON.parse(text) as unknown;
    if (meta && typeof meta === 'object' && typeof (meta as { callId?: unknown }).callId === 'string') {
      const id = (meta as { callId: string }).callId;
      return id.length > 0 && id.length <= 200 ? id : null;
    }
  } catch { /* not JSON */ }
  return null;
}
