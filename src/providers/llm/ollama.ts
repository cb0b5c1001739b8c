import { Ollama, type Message, type Tool } from 'ollama';
import type { ChatChunk, ChatMessage, ChatRequest, LanguageModel, ToolDefinition } from '../types.js';
import { idleGuarded, type IdleTimeout } from './idle-timeout.js';
import { oneShotRequest, parseJsonOutput } from './one-shot.js';
import { outboundFetch } from '../../net/outbound-fetch.js';

export interface OllamaLanguageModelOptions {
  url: string;
  model: string;
  /** How long Ollama keeps the model loaded after a request ("30m"). */
  keepAlive: string;
  temperature?: number;
  maxTokens?: number;
  /** No output for this long (before the first token or between tokens) → `LlmError('timeout')`. */
  idleTimeoutMs: number;
  /** Whole budget of one `completeJson` (post-call analysis). */
  jsonTimeoutMs: number;
}

export const defaultOllamaOptions: Omit<OllamaLanguageModelOptions, 'url' | 'model'> = {
  keepAlive: '30m',
  idleTimeoutMs: 10_000,
  jsonTimeoutMs: 30_000,
};

/** Ollama through its own client: streamed `/api/chat` with tools, `format` for JSON output. */
export class OllamaLanguageModel implements LanguageModel {
  readonly name = 'ollama';
  readonly #opts: OllamaLanguageModelOptions;

  constructor(options: Partial<OllamaLanguageModelOptions> & Pick<OllamaLanguageModelOptions, 'url' | 'model'>) {
    this.#opts = { ...defaultOllamaOptions, ...options };
  }

  /** The client is bound to one request's signal: `Ollama.abort()` would cancel every request. */
  #client(signal: AbortSignal): Ollama {
    return new Ollama({
      host: this.#opts.url,
      fetch: (input, init) => outboundFetch(input instanceof Request ? input.url : input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    });
  }

  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    return idleGuarded(this.#opts.idleTimeoutMs, this.name, signal, (idle) => this.#stream(request, idle));
  }

  async *#stream(request: ChatRequest, idle: IdleTimeout): AsyncIterable<ChatChunk> {
    let toolIndex = 0;
    const stream = await this.#client(idle.signal).chat({
      model: this.#opts.model,
      messages: request.messages.map(toOllamaMessage),
      tools: request.tools?.length ? request.tools.map(toOllamaTool) : undefined,
      stream: true,
      keep_alive: this.#opts.keepAlive,
      options: compact({ temperature: request.temperature ?? this.#opts.temperature, num_predict: request.maxTokens ?? this.#opts.maxTokens }),
    });
    for await (const part of stream) {
      idle.touch();
      const msg = part.message;
      if (msg?.content) yield { type: 'text', text: msg.content };
      for (const call of msg?.tool_calls ?? []) {
        yield { type: 'tool_call', id: `call_${request.responseId}_${toolIndex++}`, name: call.function.name, arguments: call.function.arguments ?? {} };
      }
      if (part.done) break;
    }
  }

  completeJson(messages: ChatMessage[], schema: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    return oneShotRequest(this.name, this.#opts.jsonTimeoutMs, signal, async (bounded) => {
      const res = await this.#client(bounded).chat({
        model: this.#opts.model,
        messages: messages.map(toOllamaMessage),
        format: schema,
        stream: false,
        keep_alive: this.#opts.keepAlive,
        options: { temperature: 0 },
      });
      return parseJsonOutput(res.message.content, this.name);
    });
  }

  /** An empty generate request loads the model and pins it for `keep_alive`. */
  async warmUp(): Promise<void> {
    await oneShotRequest(this.name, 120_000, undefined, (bounded) =>
      this.#client(bounded).generate({ model: this.#opts.model, prompt: '', keep_alive: this.#opts.keepAlive, stream: false }));
  }
}

function toOllamaMessage(m: ChatMessage): Message {
  const out: Message = { role: m.role, content: m.content };
  if (m.tool_calls?.length) out.tool_calls = m.tool_calls.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
  if (m.role === 'tool' && m.name) out.tool_name = m.name;
  return out;
}

function toOllamaTool(t: ToolDefinition): Tool {
  return { type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters as Tool['function']['parameters'] } };
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
