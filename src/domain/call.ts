/** Vocabulary of a call shared by every layer (API, telephony engines, agent, webhooks, storage). */

export const CALL_STATUSES = ['queued', 'ringing', 'in_progress', 'completed', 'busy', 'no_answer', 'failed', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const END_REASONS = [
  'customer_hangup', 'assistant_hangup', 'api_hangup', 'max_duration', 'silence_timeout', 'transferred',
  'voicemail', 'busy', 'no_answer', 'no_response', 'declined', 'invalid_number', 'trunk_error', 'canceled',
  'llm_error', 'stt_error', 'tts_error', 'server_shutdown', 'server_restart', 'error',
] as const;
export type EndReason = (typeof END_REASONS)[number];

export type CallDirection = 'outbound' | 'inbound';

/** One line of the transcript: what the user said, or what the assistant actually played. */
export interface Utterance {
  role: 'user' | 'assistant';
  text: string;
  /** Milliseconds from the moment the call was answered. */
  startMs: number;
  endMs: number;
  /** Assistant only: the caller cut it off, `text` holds only what was played. */
  interrupted: boolean;
  /** `dtmf`: keys the caller pressed (text = the digits, e.g. `1234#`); absent = speech. */
  kind?: UtteranceKind;
}

export type UtteranceKind = 'speech' | 'dtmf';

/** A tool the assistant ran during the call: what it asked, what came back, and when. */
export interface ToolCallRecord {
  name: string;
  arguments: Record<string, unknown>;
  /** What the model was told (truncated to `TOOL_RESULT_KEEP_CHARS`). */
  result: string;
  /** Why the tool failed (unknown tool, refused arguments, HTTP error, timeout); null when it ran. */
  error: string | null;
  /** Milliseconds from the moment the call was answered. */
  startMs: number;
  durationMs: number;
}

/** How much of a tool's answer the call record keeps (the model may have been given more). */
export const TOOL_RESULT_KEEP_CHARS = 2_000;

/** Per-turn latency, all in milliseconds. Null where a stage did not run in that turn. */
export interface TurnLatency {
  turn: number;
  endpointingMs: number | null;
  sttMs: number | null;
  llmFirstTokenMs: number | null;
  ttsFirstAudioMs: number | null;
  /** Caller's last speech packet → first reply audio on the line. */
  voiceToVoiceMs: number | null;
}

export interface CallAnalysis {
  sentiment: 'positive' | 'neutral' | 'negative' | null;
  intent: string | null;
  summary: string | null;
  success: boolean | null;
  structured_data?: Record<string, unknown> | null;
  /** Why a field is null, when analysis failed or was skipped. */
  error?: string | null;
}
