import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../ops/logger.js';

export const AUDIO_FORK_SUBPROTOCOL = 'audio.drachtio.org';

export interface AudioForkServerOptions {
  host: string;
  port: number;
  /** A socket must name its call in its first (metadata) frame within this time. */
  metadataTimeoutMs: number;
  /** How long a call waits for FreeSWITCH to connect its fork. */
  claimTimeoutMs: number;
  /** Largest frame accepted from FreeSWITCH (bytes). */
  maxPayload: number;
}

export const defaultAudioForkServerOptions: AudioForkServerOptions = {
  host: '0.0.0.0', port: 8090, metadataTimeoutMs: 5000, claimTimeoutMs: 10_000, maxPayload: 64 * 1024,
};

interface Waiter { token: string; resolve(ws: WebSocket): void; reject(err: Error): void; timer: NodeJS.Timeout }

/** What a call hands to `uuid_audio_fork` as metadata, and waits on. */
export interface ForkClaim { metadata: { callId: string; token: string }; socket: Promise<WebSocket> }

/**
 * The WebSocket server mod_audio_fork (inside FreeSWITCH) connects back to. Each connection
 * opens with a JSON text frame carrying the metadata we passed to `uuid_audio_fork`
 * (`{callId, token}`), which pairs it with its call; then binary L16 PCM flows. The random
 * per-call token keeps anyone else who reaches the port from taking over a call's audio.
 */
export class AudioForkServer {
  readonly #opts: AudioForkServerOptions;
  readonly #log: Logger;
  #wss: WebSocketServer | null = null;
  readonly #waiters = new Map<string, Waiter>();
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

  /** Expect the fork of `callId`: pass `metadata` to forkAudioStart, then await `socket`. */
  claim(callId: string): ForkClaim {
    const token = randomBytes(16).toString('hex');
    const socket = new Promise<WebSocket>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(callId);
        reject(new Error(`audio fork for ${callId} did not connect within ${this.#opts.claimTimeoutMs} ms`));
      }, this.#opts.claimTimeoutMs);
      this.#waiters.set(callId, { token, resolve, reject, timer });
    });
    socket.catch(() => undefined);
    return { metadata: { callId, token }, socket };
  }

  /** Give up waiting for a call's fork (call ended before media came up). */
  release(callId: string): void {
    const w = this.#waiters.get(callId);
    if (w) { clearTimeout(w.timer); this.#waiters.delete(callId); w.reject(new Error('call ended')); }
  }

  async stop(): Promise<void> {
    for (const [id] of this.#waiters) this.release(id);
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
      const meta = isBinary ? null : parseMetadata(data.toString());
      if (!meta) return this.#refuse(ws, 'bad metadata');
      // claim() always precedes forkAudioStart, so a fork nobody waits for is a stranger.
      if (!this.#waiters.has(meta.callId)) return this.#refuse(ws, 'unknown call');
      this.#deliver(meta.callId, ws, meta.token);
    });
  }

  #deliver(callId: string, ws: WebSocket, token: string): void {
    const waiter = this.#waiters.get(callId)!;
    if (!sameToken(waiter.token, token)) return this.#refuse(ws, 'bad token');
    this.#waiters.delete(callId);
    clearTimeout(waiter.timer);
    waiter.resolve(ws);
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseMetadata(text: string): { callId: string; token: string } | null {
  try {
    const meta = JSON.parse(text) as { callId?: unknown; token?: unknown } | null;
    if (meta && typeof meta.callId === 'string' && typeof meta.token === 'string'
      && meta.callId.length > 0 && meta.callId.length <= 200 && meta.token.length <= 100) {
      return { callId: meta.callId, token: meta.token };
    }
  } catch { /* not JSON */ }
  return null;
}
