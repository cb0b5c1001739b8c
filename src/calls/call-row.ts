import type { CallRow } from './state-machine.js';

export interface NewCall {
  id: string;
  accountId: string;
  direction: 'outbound' | 'inbound';
  status: 'queued' | 'ringing';
  phoneNumber: string;
  fromNumber: string | null;
  assistantId: string;
  webhookUrl: string | null;
  recordingPath: string | null;
  metadata?: Record<string, unknown>;
  variables?: Record<string, string>;
  assistantOverrides?: Record<string, unknown>;
  maxDurationSeconds?: number | null;
  /** The process instance that runs the call (crash recovery). */
  ownerInstance?: string | null;
}

/** The row of a call that has just begun, outbound or inbound; `seq` is set by the insert. */
export function newCallRow(c: NewCall, nowMs = Date.now()): CallRow {
  return {
    seq: 0, id: c.id, account_id: c.accountId, direction: c.direction, status: c.status, phone_number: c.phoneNumber,
    from_number: c.fromNumber, assistant_id: c.assistantId, webhook_url: c.webhookUrl,
    metadata: JSON.stringify(c.metadata ?? {}), variables: JSON.stringify(c.variables ?? {}),
    assistant_overrides: JSON.stringify(c.assistantOverrides ?? {}), max_duration_seconds: c.maxDurationSeconds ?? null,
    created_at: nowMs, answered_at: null, ended_at: null, duration_seconds: null, end_reason: null, sip_status: null, cost: null,
    recording_path: c.recordingPath, analysis: null, media_stats: null,
    owner_instance: c.ownerInstance ?? null, last_seen_at: nowMs, dialog_state: null,
  };
}

/** Insert values: everything but the autoincrement `seq`. */
export function insertValues(row: CallRow): Omit<CallRow, 'seq'> {
  const { seq: _seq, ...values } = row;
  return values;
}
