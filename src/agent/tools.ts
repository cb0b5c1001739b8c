import { Deadline } from '../providers/llm/deadline.js';
import type { ChatChunk, ToolDefinition } from '../providers/types.js';
import type { HttpToolSpec, ToolSpec } from './assistant.js';
import { outboundFetch } from '../net/outbound-fetch.js';

/** What the conversation must do after a tool ran, beyond telling the model the result. */
export type ToolEffect =
  | { type: 'none' }
  | { type: 'end_call' }
  | { type: 'transfer'; to: string }
  | { type: 'dtmf'; digits: string };

export interface ToolResult {
  /** Goes back to the model as the tool message. */
  content: string;
  effect: ToolEffect;
  /** Why the tool failed, in a few words; null when it ran (the model reads `content` either way). */
  error: string | null;
}

export interface ToolRunnerOptions {
  /** Budget of an HTTP tool without its own `timeout_ms`. */
  httpTimeoutMs: number;
  /** Largest HTTP tool response passed to the model. */
  maxResponseChars: number;
  callId: string;
  metadata: Record<string, unknown>;
}

export const defaultToolRunnerOptions = { httpTimeoutMs: 5_000, maxResponseChars: 4_000 } satisfies Partial<ToolRunnerOptions>;

const DTMF_DIGITS = /^[0-9*#A-Da-d]{1,32}$/;

const ran = (content: Record<string, unknown>, effect: ToolEffect): ToolResult => ({ content: JSON.stringify(content), effect, error: null });
const failed = (error: string): ToolResult => ({ content: JSON.stringify({ error }), effect: { type: 'none' }, error });

/**
 * The assistant's tools as the model sees them, and what running each one means. Side effects
 * on the call (hang-up, transfer, DTMF) are returned, not performed, so the conversation can
 * first let the caller hear the reply that came with them.
 */
export class ToolRunner {
  readonly #specs: ToolSpec[];
  readonly #opts: ToolRunnerOptions;

  constructor(specs: ToolSpec[], options: Partial<ToolRunnerOptions> & Pick<ToolRunnerOptions, 'callId' | 'metadata'>) {
    this.#specs = specs;
    this.#opts = { ...defaultToolRunnerOptions, ...options };
  }

  definitions(): ToolDefinition[] {
    return this.#specs.map((spec): ToolDefinition => {
      switch (spec.type) {
        case 'end_call':
          return { name: 'end_call', description: spec.description ?? 'End the phone call when the conversation is over.', parameters: { type: 'object', properties: {} } };
        case 'transfer_call':
          return {
            name: 'transfer_call',
            description: spec.description ?? `Transfer the caller to a person. Destinations: ${spec.destinations.map((d) => `${d.number}${d.description ? ` (${d.description})` : ''}`).join(', ')}`,
            parameters: { type: 'object', properties: { destination: { type: 'string', enum: spec.destinations.map((d) => d.number) } }, required: ['destination'] },
          };
        case 'send_dtmf':
          return { name: 'send_dtmf', description: spec.description ?? 'Press keys on the phone keypad (IVR menus).', parameters: { type: 'object', properties: { digits: { type: 'string', description: 'Digits 0-9, * and #' } }, required: ['digits'] } };
        case 'http':
          return { name: spec.name, description: spec.description ?? spec.name, parameters: spec.parameters ?? { type: 'object', properties: {} } };
      }
    });
  }

  async run(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    const spec = this.#specs.find((s) => (s.type === 'http' ? s.name : s.type) === name);
    if (!spec) return failed(`unknown tool ${name}`);
    switch (spec.type) {
      case 'end_call':
        return ran({ ok: true }, { type: 'end_call' });
      case 'transfer_call': {
        const to = String(args.destination ?? args.to ?? spec.destinations[0]?.number ?? '');
        if (!spec.destinations.some((d) => d.number === to)) return failed('destination not allowed');
        return ran({ ok: true, transferring_to: to }, { type: 'transfer', to });
      }
      case 'send_dtmf': {
        const digits = String(args.digits ?? '');
        if (!DTMF_DIGITS.test(digits)) return failed('digits must be 0-9, *, #, A-D');
        return ran({ ok: true, sent: digits }, { type: 'dtmf', digits });
      }
      case 'http':
        return this.#http(spec, args, signal);
    }
  }

  /** POST the arguments as JSON; any failure becomes an error result the model can talk about. */
  async #http(spec: HttpToolSpec, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    const timeoutMs = spec.timeout_ms ?? this.#opts.httpTimeoutMs;
    const deadline = new Deadline(timeoutMs, signal);
    try {
      const res = await outboundFetch(spec.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'phonevoice-call-id': this.#opts.callId },
        body: JSON.stringify({ tool: spec.name, arguments: args, call: { id: this.#opts.callId, metadata: this.#opts.metadata } }),
        signal: deadline.signal,
      });
      const text = (await res.text()).slice(0, this.#opts.maxResponseChars);
      if (res.ok) return { content: text || JSON.stringify({ ok: true }), effect: { type: 'none' }, error: null };
      return { content: JSON.stringify({ error: `HTTP ${res.status}`, body: text.slice(0, 500) }), effect: { type: 'none' }, error: `HTTP ${res.status}` };
    } catch (err) {
      if (signal.aborted) throw err;
      return failed(deadline.expired ? `no answer within ${timeoutMs} ms` : 'tool unreachable');
    } finally {
      deadline.dispose();
    }
  }
}

/** Actions a live custom LLM sends directly, as the same effects the tools produce. */
export function effectOf(chunk: ChatChunk): ToolEffect | null {
  switch (chunk.type) {
    case 'end_call': return { type: 'end_call' };
    case 'transfer': return { type: 'transfer', to: chunk.to };
    case 'dtmf': return { type: 'dtmf', digits: chunk.digits };
    default: return null;
  }
}
