import type { ChatRequest, LanguageModel } from '../types.js';
import { OpenAiCompatibleLanguageModel } from './openai-compatible.js';

export interface CustomOpenAiOptions {
  /** The customer's base URL; we POST `{url}/chat/completions`. */
  url: string;
  model?: string;
  apiKey?: string;
  callId: string;
  metadata: Record<string, unknown>;
  idleTimeoutMs?: number;
  analysisModel?: LanguageModel;
}

/**
 * The customer's own logic behind OpenAI's chat completions shape (docs/custom-llm.md). Each
 * request carries `call {id, metadata}`, `response_id` and `interrupted_response_id` (the last
 * reply the caller cut off), and the headers `PhoneVoice-Call-Id` / `PhoneVoice-Response-Id`.
 * Closing the HTTP stream is the live interruption signal.
 */
export function createCustomOpenAiLanguageModel(opts: CustomOpenAiOptions): LanguageModel {
  let interruptedResponseId: number | null = null;
  const inner = new OpenAiCompatibleLanguageModel({
    url: opts.url,
    rootPath: '',
    markInterrupted: true,
    model: opts.model ?? 'custom',
    apiKey: opts.apiKey,
    providerName: 'custom_openai',
    ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    extraBody: (r: ChatRequest) => ({ call: { id: opts.callId, metadata: opts.metadata }, response_id: r.responseId, interrupted_response_id: interruptedResponseId }),
    extraHeaders: (r: ChatRequest) => ({ 'phonevoice-call-id': opts.callId, 'phonevoice-response-id': String(r.responseId) }),
  });
  return {
    name: inner.name,
    chat: (request, signal) => inner.chat(request, signal),
    completeJson: (messages, schema, signal) => (opts.analysisModel ?? inner).completeJson(messages, schema, signal),
    notify(event) {
      if (event.type === 'interrupt') interruptedResponseId = event.responseId;
    },
  };
}
