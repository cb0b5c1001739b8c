import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Logger } from '../../ops/logger.js';
import { parseMessage } from './parser.js';
import { StreamFramer } from './stream-framer.js';
import type { TcpLimits } from './tcp-limits.js';
import type { Flow, MessageHandler, SipTransport, Target } from './transport.js';

/**
 * SIP over TCP: accepted and outgoing connections are reused in both directions, keyed by peer
 * address; `limits` caps how many stay open and closes idle or stuck ones (not those `inUse` by a call).
 */
export class TcpTransport implements SipTransport {
  readonly name = 'tcp' as const;
  #server: Server | null = null;
  #connections = new Map<string, { socket: Socket; flow: Flow }>();
  #pending = new Map<string, Promise<Flow>>();
  #handler: MessageHandler;
  #log: Logger;
  #limits: TcpLimits;
  #inUse: (flow: Flow) => boolean;

  constructor(handler: MessageHandler, log: Logger, limits: TcpLimits, inUse: (flow: Flow) => boolean) {
    this.#handler = handler;
    this.#log = log;
    this.#limits = limits;
    this.#inUse = inUse;
  }

  get port(): number {
    const addr = this.#server?.address();
    return addr && typeof addr === 'object' ? addr.port : 0;
  }

  listen(host: string, port: number): Promise<void> {
    const server = createServer((socket) => { if (this.#limits.admit(socket)) this.#adopt(socket); });
    this.#server = server;
    server.on('error', (err) => this.#log.error({ err }, 'SIP TCP server error'));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  #adopt(socket: Socket, accepted = true): Flow {
    const address = socket.remoteAddress ?? '0.0.0.0';
    const port = socket.remotePort ?? 0;
    const key = `${address}:${port}`;
    const framer = new StreamFramer();
    let watch: { activity(): void } | null = null;
    const flow: Flow = { transport: 'tcp', address, port, send: (data) => { if (!socket.destroyed) { watch?.activity(); socket.write(data); } } };
    // An accepted connection that never completes a message is as stuck as one halfway through one.
    let received = false;
    watch = this.#limits.watch(socket, () => this.#inUse(flow),
      () => (framer.pendingBytes > 0 ? 'message incomplete' : accepted && !received ? 'no message' : null));
    this.#connections.set(key, { socket, flow });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      watch.activity();
      const ok = framer.push(chunk, (raw) => {
        received = true;
        try {
          const parsed = parseMessage(raw);
          this.#handler(parsed.ok ? parsed.message : parsed.message, raw, flow, parsed.ok ? null : parsed.error);
        } catch (err) {
          this.#log.warn({ err, from: key }, 'dropped SIP message on TCP');
        }
      });
      if (!ok) {
        this.#log.warn({ from: key }, 'unframeable SIP stream, closing connection');
        // end(), not destroy(): a 400 just written for the broken message still goes out.
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    });
    socket.on('error', (err) => this.#log.debug({ err, peer: key }, 'SIP TCP connection error'));
    socket.on('close', () => {
      if (this.#connections.get(key)?.socket === socket) this.#connections.delete(key);
    });
    return flow;
  }

  flowTo(target: Target): Promise<Flow> {
    const key = `${target.address}:${target.port}`;
    const existing = this.#connections.get(key);
    if (existing && !existing.socket.destroyed) return Promise.resolve(existing.flow);
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const opening = new Promise<Flow>((resolve, reject) => {
      const socket = connect({ host: target.address, port: target.port });
      socket.once('connect', () => { this.#limits.adoptOutgoing(socket); resolve(this.#adopt(socket, false)); });
      socket.once('error', reject);
    }).finally(() => this.#pending.delete(key));
    this.#pending.set(key, opening);
    return opening;
  }

  async close(): Promise<void> {
    for (const { socket } of this.#connections.values()) socket.destroy();
    this.#connections.clear();
    const server = this.#server;
    this.#server = null;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
