import type { ChatChunk, ChatMessage, ChatRequest, LanguageModel } from '../types.js';
import { endpointUrl } from '../endpoint-url.js';
import { LlmError } from './errors.js';
import { idleGuarded, type IdleTimeout } from './idle-timeout.js';
import { oneShotRequest, parseJsonOutput } from './one-shot.js';
import { readSseData } from './sse.js';
import { outboundFetch } from '../../net/outbound-fetch.js';

export interface OpenAiCompatibleOptions {
  /** Base URL as an OpenAI SDK takes it (`http://127.0.0.1:8000/v1`); `/chat/completions` is appended (endpoint-url.ts). */
  url: string;
  /** What a URL without a path stands for: `/v1` for vLLM, llama.cpp, LM Studio, OpenAI; `''` for custom LLMs. */
  rootPath: string;
  model: string;
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  idleTimeoutMs: number;
  jsonTimeoutMs: number;
  /** Reported as `name` (logs, status). */
  providerName: string;
  /** Extra JSON body fields per request (custom LLMs get the call id, metadata and response id). */
  extraBody?: (request: ChatRequest) => Record<string, unknown>;
  extraHeaders?: (request: ChatRequest) => Record<string, string>;
  /** Mark assistant messages the caller cut off with `interrupted: true` (custom LLMs; not OpenAI's schema). */
  markInterrupted?: boolean;
}

export const defaultOpenAiCompatibleOptions = {
  rootPath: '/v1',
  idleTimeoutMs: 10_000,
  jsonTimeoutMs: 30_000,
  providerName: 'openai_compatible',
} satisfies Partial<OpenAiCompatibleOptions>;

interface StreamDelta {
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: string | null;
  }>;
  error?: { message?: string };
}

/** Any server speaking OpenAI's chat completions: SSE streaming with tool calls, `json_schema` output. */
export class OpenAiCompatibleLanguageModel implements LanguageModel {
  readonly #opts: OpenAiCompatibleOptions;

  constructor(options: Partial<OpenAiCompatibleOptions> & Pick<OpenAiCompatibleOptions, 'url' | 'model'>) {
    this.#opts = { ...defaultOpenAiCompatibleOptions, ...options };
  }

  get name(): string {
    return this.#opts.providerName;
  }

  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    return idleGuarded(this.#opts.idleTimeoutMs, this.name, signal, (idle) => this.#stream(request, idle));
  }

  async *#stream(request: ChatRequest, idle: IdleTimeout): AsyncIterable<ChatChunk> {
    const pending = new Map<number, { id: string; name: string; args: string }>();
    const body = {
      model: this.#opts.model,
      messages: request.messages.map((m) => toOpenAiMessage(m, this.#opts.markInterrupted === true)),
      tools: request.tools?.length ? request.tools.map((t) => ({ type: 'function', function: t })) : undefined,
      temperature: request.temperature ?? this.#opts.temperature,
      max_tokens: request.maxTokens ?? this.#opts.maxTokens,
      stream: true,
      ...this.#opts.extraBody?.(request),
    };
    const res = await this.#post(body, idle.signal, this.#opts.extraHeaders?.(request));
    for await (const data of readSseData(res.body!)) {
      idle.touch();
      if (data === '[DONE]') break;
      const delta = parseDelta(data, this.name);
      if (delta.error) throw new LlmError('http', `${this.name}: ${delta.error.message ?? 'error event'}`);
      const choice = delta.choices?.[0];
      if (choice?.delta?.content) yield { type: 'text', text: choice.delta.content };
      for (const tc of choice?.delta?.tool_calls ?? []) {
        const index = tc.index ?? 0;
        const acc = pending.get(index) ?? { id: tc.id ?? `call_${request.responseId}_${index}`, name: '', args: '' };
        if (tc.function?.name) acc.name += tc.function.name;
        if (tc.function?.arguments) acc.args += tc.function.arguments;
        pending.set(index, acc);
      }
    }
    for (const acc of pending.values()) yield { type: 'tool_call', id: acc.id, name: acc.name, arguments: parseArguments(acc.args, this.name) };
  }

  completeJson(messages: ChatMessage[], schema: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    return oneShotRequest(this.name, this.#opts.jsonTimeoutMs, signal, async (bounded) => {
      const res = await this.#post({
        model: this.#opts.model,
        messages: messages.map((m) => toOpenAiMessage(m, false)),
        temperature: 0,
        stream: false,
        response_format: { type: 'json_schema', json_schema: { name: 'result', schema, strict: true } },
      }, bounded);
      const json = (await res.json()) as { choices?: Array<{ message?: { content?: string } }> };
      const content = json.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new LlmError('protocol', `${this.name}: no message content in the completion`);
      return parseJsonOutput(content, this.name);
    });
  }

  async #post(body: unknown, signal: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
    const res = await outboundFetch(endpointUrl(this.#opts.url, '/chat/completions', this.#opts.rootPath), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream, application/json',
        ...(this.#opts.apiKey ? { authorization: `Bearer ${this.#opts.apiKey}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
      signal,
    });
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      throw new LlmError('http', `${this.name}: HTTP ${res.status} ${text.slice(0, 200)}`.trim(), res.status);
    }
    return res;
  }
}

function parseDelta(data: string, provider: string): StreamDelta {
  try {
    return JSON.parse(data) as StreamDelta;
  } catch {
    throw new LlmError('protocol', `${provider}: malformed SSE data`);
  }
}

function parseArguments(args: string, provider: string): Record<string, unknown> {
  if (!args.trim()) return {};
  try {
    const v = JSON.parse(args);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    throw new LlmError('protocol', `${provider}: tool call arguments are not JSON`);
  }
}

function toOpenAiMessage(m: ChatMessage, markInterrupted: boolean): Record<string, unknown> {
  const cut = markInterrupted && m.role === 'assistant' && m.interrupted ? { interrupted: true } : {};
  if (m.role === 'tool') return { role: 'tool', content: m.content, tool_call_id: m.tool_call_id, name: m.name };
  if (m.role === 'assistant' && m.tool_calls?.length) {
    return {
      role: 'assistant',
      content: m.content || null,
      ...cut,
      tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
    };
  }
  return { role: m.role, content: m.content, ...cut };
}
