/**
 * The assistant as the voice loop sees it: the stored assistant with call-level
 * `assistant_overrides` merged and `{{variables}}` already substituted.
 * Field names follow the public API (snake_case) so the stored JSON maps 1:1.
 */
export interface HttpToolSpec {
  type: 'http';
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  url: string;
  timeout_ms?: number;
}
export type ToolSpec =
  | { type: 'end_call'; description?: string }
  | { type: 'transfer_call'; destinations: Array<{ number: string; description?: string }>; description?: string }
  | { type: 'send_dtmf'; description?: string }
  | HttpToolSpec;

export interface AssistantConfig {
  id: string;
  name: string;
  system_prompt: string;
  first_message: string | null;
  first_message_mode: 'assistant_speaks_first' | 'wait_for_user';
  language: string;
  voice: { provider: 'piper' | 'espeak' | string; voice: string };
  transcriber: { provider: 'whisper' | 'openai_compatible' | string; model?: string; url?: string; [k: string]: unknown };
  llm: {
    provider: 'ollama' | 'openai_compatible' | 'custom';
    model?: string;
    url?: string;
    temperature?: number;
    max_tokens?: number;
    api_key?: string;
    /** custom only: 'openai' (chat/completions SSE) or 'websocket'. */
    protocol?: 'openai' | 'websocket';
  };
  tools: ToolSpec[];
  end_call_phrases: string[];
  interruption: { enabled: boolean; min_speech_ms: number; ignore_phrases: string[] };
  endpointing_ms: number;
  silence_timeout_seconds: number;
  max_duration_seconds: number;
  voicemail: { action: 'hangup' | 'leave_message'; message?: string | null } | null;
  analysis: { intents?: string[]; schema?: Record<string, unknown> | null } | null;
  webhook_url: string | null;
  metadata: Record<string, unknown>;
}
