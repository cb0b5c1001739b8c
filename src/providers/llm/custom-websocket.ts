import WebSocket from 'ws';
import type { ChatChunk, ChatMessage, ChatRequest, LanguageModel } from '../types.js';
import { AsyncQueue } from './async-queue.js';
import { LlmError } from './errors.js';
import { IdleTimeout } from './idle-timeout.js';
import { assertOutboundUrl, outboundLookup, outboundPolicy } from '../../net/outbound-fetch.js';

export interface CustomWebSocketOptions {
  /** `ws://` or `wss://` URL of the customer's service. */
  url: string;
  callId: string;
  metadata: Record<string, unknown>;
  apiKey?: string;
  connectTimeoutMs: number;
  /** No `response` message for this long while a response is required → `LlmError('timeout')`. */
  idleTimeoutMs: number;
  /** Post-call analysis is not part of the protocol; it goes to this model (the local Ollama). */
  analysisModel?: LanguageModel;
}

export const defaultCustomWebSocketOptions = { connectTimeoutMs: 5_000, idleTimeoutMs: 10_000 } satisfies Partial<CustomWebSocketOptions>;

type ServerMessage =
  | { type: 'response'; response_id: number; content?: string; content_complete?: boolean }
  | { type: 'end_call'; response_id?: number; reason?: string }
  | { type: 'transfer'; response_id?: number; to: string }
  | { type: 'send_dtmf'; response_id?: number; digits: string };

/**
 * The custom LLM WebSocket protocol (docs/custom-llm.md): one socket per call, one
 * `response_required` per turn, answers matched by `response_id` so a late answer to a turn the
 * caller already interrupted is dropped.
 */
export class CustomWebSocketLanguageModel implements LanguageModel {
  readonly name = 'custom_websocket';
  readonly #opts: CustomWebSocketOptions;
  #socket: Promise<WebSocket> | null = null;
  #current: { responseId: number; queue: AsyncQueue<ChatChunk> } | null = null;
  #unsolicited = new Set<(chunk: ChatChunk) => void>();
  #closed = false;
  #callEndedSent = false;

  constructor(options: Partial<CustomWebSocketOptions> & Pick<CustomWebSocketOptions, 'url' | 'callId' | 'metadata'>) {
    this.#opts = { ...defaultCustomWebSocketOptions, ...options };
  }

  warmUp(): Promise<void> {
    return this.#connect().then(() => undefined);
  }

  onUnsolicited(listener: (chunk: ChatChunk) => void): () => void {
    this.#unsolicited.add(listener);
    return () => this.#unsolicited.delete(listener);
  }

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    const ws = await this.#connect();
    const queue = new AsyncQueue<ChatChunk>();
    this.#current?.queue.end();
    this.#current = { responseId: request.responseId, queue };
    const idle = new IdleTimeout(this.#opts.idleTimeoutMs, this.name, signal);
    const onAbort = () => queue.fail(idle.timedOut ? new LlmError('timeout', `${this.name}: no response for ${this.#opts.idleTimeoutMs} ms`) : idle.signal.reason);
    idle.signal.addEventListener('abort', onAbort, { once: true });
    try {
      send(ws, { type: 'response_required', response_id: request.responseId, transcript: toTranscript(request.messages) });
      for await (const chunk of queue) {
        idle.touch();
        yield chunk;
      }
    } finally {
      idle.signal.removeEventListener('abort', onAbort);
      idle.dispose();
      if (this.#current?.queue === queue) this.#current = null;
    }
  }

  notify(event: { type: 'interrupt'; responseId: number } | { type: 'dtmf'; digit: string } | { type: 'call_ended' }): void {
    void this.#socket?.then((ws) => {
      if (event.type === 'interrupt') send(ws, { type: 'interrupt', response_id: event.responseId });
      else if (event.type === 'dtmf') send(ws, { type: 'dtmf', digit: event.digit });
      else if (!this.#callEndedSent) { this.#callEndedSent = true; send(ws, { type: 'call_ended' }); }
    }, () => {});
  }

  completeJson(messages: ChatMessage[], schema: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    if (!this.#opts.analysisModel) return Promise.reject(new LlmError('protocol', `${this.name}: no analysis model configured`));
    return this.#opts.analysisModel.completeJson(messages, schema, signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#socket;
    this.#socket = null;
    const ws = await pending?.catch(() => null);
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (!this.#callEndedSent) send(ws, { type: 'call_ended' });
    this.#callEndedSent = true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { ws.terminate(); resolve(); }, 1000);
      ws.once('close', () => { clearTimeout(t); resolve(); });
      ws.close(1000, 'call ended');
    });
  }

  #connect(): Promise<WebSocket> {
    if (this.#closed) return Promise.reject(new LlmError('unreachable', `${this.name}: closed`));
    this.#socket ??= new Promise<WebSocket>((resolve, reject) => {
      try {
        assertOutboundUrl(this.#opts.url);
      } catch (err) {
        return reject(new LlmError('unreachable', `${this.name}: ${(err as Error).message}`));
      }
      const ws = new WebSocket(this.#opts.url, {
        handshakeTimeout: this.#opts.connectTimeoutMs,
        // The outbound URL policy, applied to every address the host resolves to.
        ...(outboundPolicy().isTrusted(new URL(this.#opts.url)) ? {} : { lookup: outboundLookup as never }),
        headers: this.#opts.apiKey ? { authorization: `Bearer ${this.#opts.apiKey}` } : {},
      });
      ws.once('open', () => {
        send(ws, { type: 'call_details', call_id: this.#opts.callId, metadata: this.#opts.metadata });
        resolve(ws);
      });
      ws.on('message', (data, isBinary) => { if (!isBinary) this.#onMessage(String(data)); });
      ws.on('error', (err) => {
        const e = new LlmError('unreachable', `${this.name}: ${(err as Error).message}`);
        reject(e);
        this.#current?.queue.fail(e);
      });
      ws.on('close', () => {
        this.#socket = null; // the next turn reconnects
        this.#current?.queue.fail(new LlmError('unreachable', `${this.name}: connection closed`));
      });
    });
    return this.#socket;
  }

  #onMessage(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return; // a bad frame from the customer's service never takes the call down
    }
    const current = this.#current;
    const rid = (msg as { response_id?: unknown }).response_id;
    if (typeof rid === 'number' && rid !== current?.responseId) return; // stale: an interrupted turn
    const chunk = toChunk(msg);
    if (msg.type === 'response') {
      if (!current) return;
      if (chunk) current.queue.push(chunk);
      if (msg.content_complete) current.queue.end();
      return;
    }
    if (!chunk) return;
    // After content_complete the reply stream is over: later actions go to the live listeners.
    if (current && !current.queue.closed) current.queue.push(chunk);
    else for (const l of this.#unsolicited) l(chunk);
  }
}

function toChunk(msg: ServerMessage): ChatChunk | null {
  switch (msg.type) {
    case 'response': return typeof msg.content === 'string' && msg.content ? { type: 'text', text: msg.content } : null;
    case 'end_call': return { type: 'end_call', reason: msg.reason };
    case 'transfer': return typeof msg.to === 'string' && msg.to ? { type: 'transfer', to: msg.to } : null;
    case 'send_dtmf': return typeof msg.digits === 'string' && /^[0-9*#A-Da-d,w]+$/.test(msg.digits) ? { type: 'dtmf', digits: msg.digits } : null;
    default: return null;
  }
}

/** The conversation as the caller heard it; an assistant entry the caller cut off says so. */
function toTranscript(messages: ChatMessage[]): Array<{ role: 'user' | 'assistant'; content: string; interrupted?: true }> {
  return messages.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content)
    .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content, ...(m.interrupted ? { interrupted: true as const } : {}) }));
}

function send(ws: WebSocket, msg: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}
