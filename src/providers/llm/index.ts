import type { AssistantConfig } from '../../domain/assistant.js';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../ops/logger.js';
import { isWebSocketUrl } from '../endpoint-url.js';
import type { LanguageModel } from '../types.js';
import { createCustomOpenAiLanguageModel } from './custom-openai.js';
import { CustomWebSocketLanguageModel } from './custom-websocket.js';
import { FakeLanguageModel } from './fake.js';
import { OllamaLanguageModel } from './ollama.js';
import { OpenAiCompatibleLanguageModel } from './openai-compatible.js';

export { LlmError, type LlmErrorKind } from './errors.js';

export interface LlmCallContext {
  callId: string;
  metadata: Record<string, unknown>;
}

/**
 * The one place that chooses a language model for a call from the assistant's `llm` spec.
 * `providers.fake.enabled` replaces every model with the fixed-latency fake (load tests).
 * Custom LLMs leave post-call analysis to the local Ollama: it is not part of their protocol.
 */
export function createLanguageModel(spec: AssistantConfig['llm'], config: Config, ctx: LlmCallContext, log: Logger): LanguageModel {
  const fake = config.providers.fake;
  if (fake.enabled) return new FakeLanguageModel({ firstTokenMs: fake.llm_first_token_ms });
  const ollama = () => new OllamaLanguageModel({
    url: spec.provider === 'ollama' && spec.url ? spec.url : config.providers.ollama.url,
    model: spec.provider === 'ollama' && spec.model ? spec.model : config.providers.ollama.model,
    keepAlive: config.providers.ollama.keep_alive,
    temperature: spec.temperature,
    maxTokens: spec.max_tokens,
  });
  switch (spec.provider) {
    case 'ollama':
      return ollama();
    case 'openai_compatible':
      if (!spec.url) throw new Error('llm.url is required for provider openai_compatible');
      return new OpenAiCompatibleLanguageModel({ url: spec.url, model: spec.model ?? 'default', apiKey: spec.api_key, temperature: spec.temperature, maxTokens: spec.max_tokens });
    case 'custom': {
      if (!spec.url) throw new Error('llm.url is required for provider custom');
      const websocket = spec.protocol === 'websocket' || isWebSocketUrl(spec.url);
      log.debug({ callId: ctx.callId, protocol: websocket ? 'websocket' : 'openai' }, 'custom llm');
      const common = { url: spec.url, apiKey: spec.api_key, callId: ctx.callId, metadata: ctx.metadata, analysisModel: ollama() };
      return websocket ? new CustomWebSocketLanguageModel(common) : createCustomOpenAiLanguageModel({ ...common, model: spec.model });
    }
    default:
      throw new Error(`unknown llm provider: ${String((spec as { provider: unknown }).provider)}`);
  }
}
