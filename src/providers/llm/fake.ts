import type { ChatChunk, ChatMessage, ChatRequest, LanguageModel } from '../types.js';

export interface FakeLanguageModelOptions {
  /** Delay before the first token, as a model server under load would show. */
  firstTokenMs: number;
  /** Delay between following tokens. */
  interTokenMs: number;
  /** Reply for a user message; default: a short acknowledgement quoting it. */
  reply: (lastUser: string) => string;
}

export const defaultFakeLanguageModelOptions: FakeLanguageModelOptions = {
  firstTokenMs: 100,
  interTokenMs: 5,
  reply: (lastUser) => `You said: ${lastUser.slice(0, 80)}. Is there anything else I can help with?`,
};

/**
 * Fixed-latency model for load tests and benchmarks (`providers.fake.enabled`): known delays make
 * the time the server itself adds measurable. Never for production.
 */
export class FakeLanguageModel implements LanguageModel {
  readonly name = 'fake';
  readonly #opts: FakeLanguageModelOptions;

  constructor(options: Partial<FakeLanguageModelOptions> = {}) {
    this.#opts = { ...defaultFakeLanguageModelOptions, ...options };
  }

  /**
   * Token i is due at `firstTokenMs + i × interTokenMs` after the request, on the model's own
   * clock, as a model server streams whatever our event loop is doing: a token due while the
   * loop was busy is read at once with the next, not delayed again by a fresh timer (per-token
   * timers would add the loop's lag once per token and charge it to the model).
   */
  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const words = this.#opts.reply(lastUser).split(/(?<= )/);
    const start = performance.now();
    for (let i = 0; i < words.length; i++) {
      const dueMs = this.#opts.firstTokenMs + i * this.#opts.interTokenMs;
      // A token already due takes no timer hop at all. Node's timers count from the loop's cached
      // clock and can fire a millisecond or two early: sleep again until the token is due.
      let waitMs: number;
      while ((waitMs = dueMs - (performance.now() - start)) > 0) await sleep(waitMs, signal);
      signal?.throwIfAborted();
      yield { type: 'text', text: words[i]! };
    }
  }

  async completeJson(_messages: ChatMessage[], schema: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    await sleep(this.#opts.firstTokenMs, signal);
    return exampleOf(schema);
  }
}

/** The simplest value a JSON schema accepts (first enum value, empty string, 0, false…). */
export function exampleOf(schema: Record<string, unknown>): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, exampleOf(v)]));
    }
    case 'array': return [];
    case 'string': return '';
    case 'number': case 'integer': return 0;
    case 'boolean': return false;
    default: return null;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
