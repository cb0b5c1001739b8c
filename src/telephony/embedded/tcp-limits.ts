import type { Socket } from 'node:net';
import type { Logger } from '../../ops/logger.js';

export interface TcpLimitOptions {
  /** Close an accepted connection with no bytes either way for this long (unless a call's dialog uses it). */
  idleTimeoutMs: number;
  /** Close a connection holding a partial message (headers or body never completed), or an accepted one that sent no message at all, this long. */
  partialMessageTimeoutMs: number;
  /** Connections open at once, accepted and outgoing together; beyond it new ones are refused. */
  maxConnections: number;
  /** Accepted connections from one address at once. */
  maxConnectionsPerSource: number;
}

export const defaultTcpLimitOptions: TcpLimitOptions = {
  idleTimeoutMs: 120_000, partialMessageTimeoutMs: 20_000, maxConnections: 1000, maxConnectionsPerSource: 50,
};

/** How often a refusal is logged at most (per limit), so a flood costs one line per interval. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Keeps SIP over TCP from being an open-ended resource: a cap on connections (total and per
 * source), an idle timeout, and a shorter one for a connection sitting on half a message
 * (slowloris). Every close and refusal is logged with the peer.
 */
export class TcpLimits {
  readonly options: TcpLimitOptions;
  #log: Logger;
  #open = new Set<Socket>();
  #outgoing = new Set<Socket>();
  #perSource = new Map<string, number>();
  #refused = 0;
  #lastRefusalLog = new Map<string, number>();
  closedIdle = 0;
  closedPartial = 0;

  constructor(options: Partial<TcpLimitOptions>, log: Logger) {
    this.options = { ...defaultTcpLimitOptions, ...options };
    this.#log = log;
  }

  get openConnections(): number { return this.#open.size; }
  get refused(): number { return this.#refused; }

  /** An accepted connection: false (and the socket is destroyed) when over a cap. */
  admit(socket: Socket): boolean {
    const source = socket.remoteAddress ?? '';
    const fromSource = this.#perSource.get(source) ?? 0;
    const full = this.#open.size >= this.options.maxConnections;
    if (full || fromSource >= this.options.maxConnectionsPerSource) {
      this.#refused++;
      socket.destroy();
      const now = Date.now();
      const limit = full ? 'max_connections' : 'max_connections_per_source';
      if (now - (this.#lastRefusalLog.get(limit) ?? 0) >= REFUSAL_LOG_INTERVAL_MS) {
        this.#lastRefusalLog.set(limit, now);
        this.#log.warn({ source, open: this.#open.size, fromSource, refusedTotal: this.#refused, limit },
          `SIP TCP connection from ${source} refused: ${full ? 'connection limit' : 'per-source limit'} reached`);
      }
      return false;
    }
    this.#track(socket, source);
    return true;
  }

  /** An outgoing connection we opened: counted, never refused (we chose to open it). */
  adoptOutgoing(socket: Socket): void {
    this.#outgoing.add(socket);
    socket.once('close', () => this.#outgoing.delete(socket));
    this.#track(socket, null);
  }

  /**
   * Arm the timers: `busy()` says whether a call needs the connection kept, `stuck()` why it is
   * waiting on its peer (bytes of an unfinished message, or no message since it was accepted), or null. Connections we opened (to a trunk, a registrar)
   * are never closed for idleness: a registrar may deliver calls back over them.
   */
  watch(socket: Socket, busy: () => boolean, stuck: () => string | null): { activity(): void } {
    const outgoing = this.#outgoing.has(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let last = Date.now();
    let partialSince: number | null = null;
    const period = Math.max(10, Math.min(this.options.idleTimeoutMs, this.options.partialMessageTimeoutMs) / 4);
    const timer = setInterval(() => {
      const now = Date.now();
      const why = stuck();
      if (why !== null) partialSince ??= now; else partialSince = null;
      if (why !== null && partialSince !== null && now - partialSince >= this.options.partialMessageTimeoutMs) {
        this.closedPartial++;
        this.#log.info({ peer, afterMs: now - partialSince }, `SIP TCP connection ${peer} closed: ${why}`);
        socket.destroy();
      } else if (!outgoing && now - last >= this.options.idleTimeoutMs && !busy()) {
        this.closedIdle++;
        this.#log.info({ peer, idleMs: now - last }, `SIP TCP connection ${peer} closed: idle`);
        socket.destroy();
      }
    }, period);
    timer.unref();
    socket.once('close', () => clearInterval(timer));
    return { activity: () => { last = Date.now(); } };
  }

  #track(socket: Socket, source: string | null): void {
    this.#open.add(socket);
    if (source !== null) this.#perSource.set(source, (this.#perSource.get(source) ?? 0) + 1);
    socket.once('close', () => {
      this.#open.delete(socket);
      if (source === null) return;
      const left = (this.#perSource.get(source) ?? 1) - 1;
      if (left > 0) this.#perSource.set(source, left); else this.#perSource.delete(source);
    });
  }
}
