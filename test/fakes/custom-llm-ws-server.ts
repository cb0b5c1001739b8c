import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A customer's service speaking the PhoneVoice custom LLM WebSocket protocol
 * (docs/custom-llm.md). `onResponseRequired` decides what to send back for each turn.
 */
export class CustomLlmWsServer {
  readonly received: Array<Record<string, unknown>> = [];
  readonly headers: Array<Record<string, string | string[] | undefined>> = [];
  readonly #wss: WebSocketServer;
  sockets: WebSocket[] = [];
  url = '';

  constructor(readonly onResponseRequired: (msg: { response_id: number; transcript: Array<{ role: string; content: string }> }, ws: WebSocket) => void = (msg, ws) => {
    ws.send(JSON.stringify({ type: 'response', response_id: msg.response_id, content: 'Hi', content_complete: false }));
    ws.send(JSON.stringify({ type: 'response', response_id: msg.response_id, content: ' there.', content_complete: true }));
  }) {
    this.#wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.#wss.on('connection', (ws, req) => {
      this.sockets.push(ws);
      this.headers.push(req.headers);
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as Record<string, unknown>;
        this.received.push(msg);
        if (msg.type === 'response_required') this.onResponseRequired(msg as never, ws);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#wss.once('listening', resolve));
    const addr = this.#wss.address() as import('node:net').AddressInfo;
    this.url = `ws://127.0.0.1:${addr.port}/llm`;
    return this;
  }

  types(): string[] {
    return this.received.map((m) => String(m.type));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
