import type { Generated } from 'kysely';

/**
 * Typed view of the SQLite schema (see migrations.ts). Times are integer milliseconds
 * since the epoch; JSON columns hold text written by JSON.stringify.
 */
export interface AccountsTable { id: string; name: string; created_at: number }

export interface ApiKeysTable {
  id: string;
  account_id: string;
  /** sha256 hex of the key; the key itself is never stored. */
  hash: string;
  /** First characters, to recognise a key in `keys list`. */
  prefix: string;
  name: string | null;
  created_at: number;
  revoked_at: number | null;
}

export interface SettingsTable { key: string; value: string }

export interface AssistantsTable {
  seq: Generated<number>;
  id: string;
  account_id: string;
  /** Full assistant object without id (AssistantConfig fields). */
  data: string;
  created_at: number;
  updated_at: number;
}

export interface PhoneNumbersTable {
  seq: Generated<number>;
  id: string;
  account_id: string;
  number: string;
  assistant_id: string;
  trunk: string | null;
  created_at: number;
}

export interface CallsTable {
  seq: Generated<number>;
  id: string;
  account_id: string;
  direction: 'outbound' | 'inbound';
  status: string;
  phone_number: string;
  from_number: string | null;
  assistant_id: string;
  webhook_url: string | null;
  metadata: string;
  variables: string;
  assistant_overrides: string;
  max_duration_seconds: number | null;
  created_at: number;
  answered_at: number | null;
  ended_at: number | null;
  duration_seconds: number | null;
  end_reason: string | null;
  sip_status: number | null;
  cost: number | null;
  recording_path: string | null;
  analysis: string | null;
  media_stats: string | null;
  /** Process instance running the call while it is live (see `instances`); null once ended or before 0003. */
  owner_instance: string | null;
  /** Last time the owner showed the call alive (heartbeat): the end of a call recovered after a crash. */
  last_seen_at: number | null;
  /** JSON SipDialogState: what recovery needs to end the SIP dialog from another process. */
  dialog_state: string | null;
}

/** A running (or crashed) server process; calls it owns are recovered once it is gone. */
export interface InstancesTable {
  id: string;
  hostname: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  call_id: string;
  created_at: number;
  /** sha256 of the canonical request body; null for rows written before migration 0002. */
  request_hash: string | null;
}

export interface TranscriptTable {
  seq: Generated<number>;
  call_id: string;
  role: 'user' | 'assistant';
  text: string;
  start_ms: number;
  end_ms: number;
  interrupted: number;
  /** 'speech' | 'dtmf'; null in rows written before it existed (speech). */
  kind: 'speech' | 'dtmf' | null;
}

/** Tools the assistant ran during a call, in the order they ran. */
export interface ToolCallsTable {
  seq: Generated<number>;
  call_id: string;
  name: string;
  /** JSON of the arguments the model gave. */
  arguments: string;
  result: string;
  error: string | null;
  start_ms: number;
  duration_ms: number;
}

export interface CallLatencyTable {
  call_id: string;
  turn: number;
  endpointing_ms: number | null;
  stt_ms: number | null;
  llm_first_token_ms: number | null;
  tts_first_audio_ms: number | null;
  voice_to_voice_ms: number | null;
}

export interface WebhookDeliveriesTable {
  /** Global order; per call, deliveries go out in this order. */
  seq: Generated<number>;
  id: string;
  event_id: string;
  event: string;
  call_id: string;
  account_id: string;
  url: string;
  /** The envelope exactly as sent (compact JSON). */
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  settings: SettingsTable;
  instances: InstancesTable;
  assistants: AssistantsTable;
  phone_numbers: PhoneNumbersTable;
  calls: CallsTable;
  idempotency_keys: IdempotencyKeysTable;
  transcript: TranscriptTable;
  call_latency: CallLatencyTable;
  tool_calls: ToolCallsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
