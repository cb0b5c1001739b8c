import { describe, expect, it } from 'vitest';
import type { AssistantConfig } from '../domain/assistant.js';
import { resolveAssistant } from './assistant-config.js';

const stored = {
  id: 'asst_1', name: 'Front desk', system_prompt: 'You book for {{clinic}}. Caller: {{ name }}.',
  first_message: 'Hello {{name}}, {{unknown}} here', first_message_mode: 'assistant_speaks_first', language: 'en',
  voice: { provider: 'piper', voice: 'en_US-lessac-medium' }, transcriber: { provider: 'whisper', model: 'm' },
  llm: { provider: 'ollama', model: 'llama3.2:1b', temperature: 0.3 }, tools: [{ type: 'end_call' }], end_call_phrases: [],
  interruption: { enabled: true, min_speech_ms: 500, ignore_phrases: ['yeah'] }, endpointing_ms: 500,
  silence_timeout_seconds: 30, max_duration_seconds: 1800, voicemail: null, analysis: null, webhook_url: null, metadata: {},
} as AssistantConfig;

describe('resolveAssistant', () => {
  it('merges overrides key by key and substitutes variables in prompt and first message', () => {
    const a = resolveAssistant(stored, { llm: { temperature: 0.9 }, interruption: { enabled: false }, tools: [] }, { clinic: 'Dr. Who', name: 'Ana' });
    expect(a.llm).toEqual({ provider: 'ollama', model: 'llama3.2:1b', temperature: 0.9 });
    expect(a.interruption).toEqual({ enabled: false, min_speech_ms: 500, ignore_phrases: ['yeah'] });
    expect(a.tools).toEqual([]);
    expect(a.system_prompt).toBe('You book for Dr. Who. Caller: Ana.');
    expect(a.first_message).toBe('Hello Ana, {{unknown}} here');
    expect(stored.llm.temperature).toBe(0.3);
  });
});
