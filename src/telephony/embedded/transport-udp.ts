import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../ops/logger.js';
import { parseMessage } from './parser.js';
import type { Flow, MessageHandler, SipTransport, Target } from './transport.js';

/** SIP over UDP: one datagram, one message. Unparseable datagrams go to the handler with the error. */
export class UdpTransport implements SipTransport {
  readonly name = 'udp' as const;
  #socket: Socket | null = null;
  #handler: MessageHandler;
  #log: Logger;

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
        const parsed = parseMessage(data);
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
      send: (data) => socket?.send(data, port, address, (err) => { if (err) this.#log.debug({ err }, 'UDP send failed'); }),
    };
  }

  async flowTo(target: Target): Promise<Flow> {
    return this.#flow(target.address, target.port);
  }

  close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }
}
