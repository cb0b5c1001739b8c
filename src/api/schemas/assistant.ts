import { z } from 'zod';
import { httpUrl, llmUrl, metadata, phoneOrSip } from './common.js';

/** Assistant fields as the API accepts them; defaults follow the best hosted voice-AI APIs. */
const tool = z.discriminatedUnion('type', [
  z.object({ type: z.literal('end_call'), description: z.string().max(1000).optional() }),
  z.object({
    type: z.literal('transfer_call'),
    description: z.string().max(1000).optional(),
    destinations: z.array(z.object({ number: phoneOrSip, description: z.string().max(1000).optional() })).min(1).max(50),
  }),
  z.object({ type: z.literal('send_dtmf'), description: z.string().max(1000).optional() }),
  z.object({
    type: z.literal('http'),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
    description: z.string().max(1000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    url: httpUrl,
    timeout_ms: z.number().int().min(100).max(60_000).optional(),
  }),
]);

const voice = z.object({ provider: z.string().min(1).max(64).default('piper'), voice: z.string().min(1).max(200).default('en_US-lessac-medium') });
const transcriber = z.looseObject({
  provider: z.string().min(1).max(64).default('whisper'),
  model: z.string().min(1).max(200).default('onnx-community/whisper-tiny.en'),
  url: httpUrl.optional(),
});
/** ws(s):// speaks the WebSocket protocol, which only a custom LLM has (docs/custom-llm.md). */
const webSocketUrlFits = (l: { provider?: string; url?: string; protocol?: string }) =>
  !l.url || !/^wss?:/i.test(l.url) || ((l.provider === undefined || l.provider === 'custom') && l.protocol !== 'openai');
const webSocketUrlMessage = { message: 'ws:// and wss:// URLs are for provider "custom" with the WebSocket protocol', path: ['url'] };
const llm = z.object({
  provider: z.enum(['ollama', 'openai_compatible', 'custom']).default('ollama'),
  model: z.string().min(1).max(200).optional(),
  url: llmUrl.optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(32_768).optional(),
  api_key: z.string().max(500).optional(),
  protocol: z.enum(['openai', 'websocket']).optional(),
}).refine((l) => l.provider !== 'custom' || l.url !== undefined, { message: 'custom LLMs need a url', path: ['url'] })
  .refine(webSocketUrlFits, webSocketUrlMessage);
const interruption = z.object({
  enabled: z.boolean().default(true),
  min_speech_ms: z.number().int().min(0).max(10_000).default(500),
  ignore_phrases: z.array(z.string().max(100)).max(100).default(['yeah', 'okay', 'mm-hm', 'uh-huh', 'right']),
});
const voicemail = z.object({ action: z.enum(['hangup', 'leave_message']), message: z.string().max(5000).nullable().optional() });
const analysis = z.object({ intents: z.array(z.string().max(100)).max(100).optional(), schema: z.record(z.string(), z.unknown()).nullable().optional() });

export const assistantFields = {
  name: z.string().min(1).max(200),
  system_prompt: z.string().max(100_000).default('You are a helpful phone assistant. Keep answers short.'),
  first_message: z.string().max(5000).nullable().default(null),
  first_message_mode: z.enum(['assistant_speaks_first', 'wait_for_user']).default('assistant_speaks_first'),
  language: z.string().min(2).max(20).default('en'),
  voice: voice.prefault({}),
  transcriber: transcriber.prefault({}),
  llm: llm.prefault({}),
  tools: z.array(tool).max(50).default([]),
  end_call_phrases: z.array(z.string().max(200)).max(50).default([]),
  interruption: interruption.prefault({}),
  endpointing_ms: z.number().int().min(0).max(10_000).default(500),
  silence_timeout_seconds: z.number().int().min(1).max(3600).default(30),
  max_duration_seconds: z.number().int().min(1).max(86_400).default(1800),
  voicemail: voicemail.nullable().default(null),
  analysis: analysis.nullable().default(null),
  webhook_url: httpUrl.nullable().default(null),
  metadata: metadata.default({}),
};

export const assistantCreate = z.strictObject(assistantFields).meta({ id: 'AssistantCreate' });

/** PATCH and `assistant_overrides`: any subset, nested objects merged, no defaults filled in. */
export const assistantPatch = z.strictObject({
  name: assistantFields.name.optional(),
  system_prompt: z.string().max(100_000).optional(),
  first_message: z.string().max(5000).nullable().optional(),
  first_message_mode: assistantFields.first_message_mode.optional(),
  language: z.string().min(2).max(20).optional(),
  voice: z.object({ provider: z.string().min(1).max(64).optional(), voice: z.string().min(1).max(200).optional() }).optional(),
  transcriber: z.looseObject({ provider: z.string().min(1).max(64).optional(), model: z.string().min(1).max(200).optional(), url: httpUrl.optional() }).optional(),
  llm: z.object({
    provider: z.enum(['ollama', 'openai_compatible', 'custom']).optional(), model: z.string().min(1).max(200).optional(), url: llmUrl.optional(),
    temperature: z.number().min(0).max(2).optional(), max_tokens: z.number().int().min(1).max(32_768).optional(),
    api_key: z.string().max(500).optional(), protocol: z.enum(['openai', 'websocket']).optional(),
  }).refine(webSocketUrlFits, webSocketUrlMessage).optional(),
  tools: z.array(tool).max(50).optional(),
  end_call_phrases: z.array(z.string().max(200)).max(50).optional(),
  interruption: z.object({ enabled: z.boolean().optional(), min_speech_ms: z.number().int().min(0).max(10_000).optional(), ignore_phrases: z.array(z.string().max(100)).max(100).optional() }).optional(),
  endpointing_ms: z.number().int().min(0).max(10_000).optional(),
  silence_timeout_seconds: z.number().int().min(1).max(3600).optional(),
  max_duration_seconds: z.number().int().min(1).max(86_400).optional(),
  voicemail: voicemail.nullable().optional(),
  analysis: analysis.nullable().optional(),
  webhook_url: httpUrl.nullable().optional(),
  metadata: metadata.optional(),
}).meta({ id: 'AssistantPatch' });

export const assistantObject = z.object({
  id: z.string(), object: z.literal('assistant'), created_at: z.string(), updated_at: z.string(),
  ...Object.fromEntries(Object.entries(assistantFields).map(([k, v]) => [k, v])),
}).meta({ id: 'Assistant' });

export type AssistantInput = z.infer<typeof assistantCreate>;
export type AssistantPatch = z.infer<typeof assistantPatch>;
