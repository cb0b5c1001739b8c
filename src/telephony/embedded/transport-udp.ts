import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../ops/logger.js';
import { parseMessage } from './parser.js';
import type { Flow, MessageHandler, SipTransport, Target } from './transport.js';

const CLOSE_DRAIN_MS = 200;

/** SIP over UDP: one datagram, one message. Unparseable datagrams go to the handler with the error. */
export class UdpTransport implements SipTransport {
  readonly name = 'udp' as const;
  #socket: Socket | null = null;
  #handler: MessageHandler;
  #log: Logger;
  /** Datagrams handed to the socket and not yet written; close() lets them go out first. */
  #inFlight = 0;
  #drained: (() => void) | null = null;

  constructor(handler: MessageHandler, log: Logger) {
    this.#handler = handler;
    this.#log = log;
  }

  get port(): number {
    return this.#socket?.address().port ?? 0;
  }

  listen(host: string, port: number): Promise<void> {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    this.#socket = socket;
    socket.on('message', (data, rinfo) => {
      // Keep-alive CRLFs (RFC 5626) and stray noise are not messages.
      if (data.length < 4) return;
      const flow = this.#flow(rinfo.address, rinfo.port);
      try {
        const parsed = parseMessage(data, true);
        if (parsed.ok) this.#handler(parsed.message, data, flow, null);
        else this.#handler(parsed.message, data, flow, parsed.error);
      } catch (err) {
        this.#log.warn({ err, from: `${rinfo.address}:${rinfo.port}` }, 'dropped SIP datagram');
      }
    });
    socket.on('error', (err) => this.#log.error({ err }, 'SIP UDP socket error'));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  }

  #flow(address: string, port: number): Flow {
    const socket = this.#socket;
    return {
      transport: 'udp', address, port,
      send: (data) => {
        // A closed socket throws synchronously; late responses after stop() are simply not sent.
        if (this.#socket !== socket || !socket) return;
        this.#inFlight++;
        socket.send(data, port, address, (err) => {
          if (err) this.#log.debug({ err }, 'UDP send failed');
          if (--this.#inFlight === 0) this.#drained?.();
        });
      },
    };
  }

  async flowTo(target: Target): Promise<Flow> {
    return this.#flow(target.address, target.port);
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_DRAIN_MS);
        this.#drained = () => { clearTimeout(timer); resolve(); };
      });
    }
    this.#socket = null;
    await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }
}
