import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  event: string;
  callId: string;
  /** Envelope timestamp (Unix seconds, whole). */
  timestamp: number;
  receivedAtMs: number;
}

/**
 * A local endpoint for the server's webhooks: counts them and keeps when each arrived, so
 * delivery latency can be measured against the call's own timestamps.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(host = '127.0.0.1'): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const receivedAtMs = Date.now();
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 1_000_000) chunks.push(c);
      });
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event?: string; call_id?: string; timestamp?: number };
          receiver.received.push({
            event: String(body.event), callId: String(body.call_id), timestamp: Number(body.timestamp), receivedAtMs,
          });
          res.writeHead(204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
    return receiver;
  }

  get url(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    return `http://${address}:${port}/hook`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
