import type { SipMessage } from './message.js';

export type TransportName = 'udp' | 'tcp';

/** Where a message came from or goes to; responses go back on the flow a request arrived on. */
export interface Flow {
  transport: TransportName;
  address: string;
  port: number;
  send(data: Buffer): void;
}

export interface Target {
  transport: TransportName;
  address: string;
  port: number;
}

export type MessageHandler = (message: SipMessage | null, raw: Buffer, flow: Flow, parseError: string | null) => void;

export interface SipTransport {
  readonly name: TransportName;
  readonly port: number;
  listen(host: string, port: number): Promise<void>;
  /** A flow to `target`, opening a connection for stream transports. */
  flowTo(target: Target): Promise<Flow>;
  close(): Promise<void>;
}
