import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../db/ids.js';

export type WebhookEvent = 'call.started' | 'call.transcription' | 'call.completed';

export interface OutboxEvent {
  event: WebhookEvent;
  callId: string;
  accountId: string;
  /** Destination; no row is written when null (nobody to tell). */
  url: string | null;
  data: Record<string, unknown>;
  /** Defaults to now. */
  timestampMs?: number;
}

/**
 * Transactional outbox: call this inside the transaction that changes the state the event
 * reports, so the event exists if and only if the change does. The dispatcher sends it later.
 * The body is fixed here, compact `JSON.stringify`, so every retry sends the same bytes.
 */
export async function enqueueEvent(trx: Transaction<Database> | Kysely<Database>, e: OutboxEvent): Promise<string | null> {
  if (!e.url) return null;
  const now = e.timestampMs ?? Date.now();
  const eventId = newId('evt');
  const body = JSON.stringify({ id: eventId, event: e.event, call_id: e.callId, timestamp: Math.floor(now / 1000), data: e.data });
  await trx.insertInto('webhook_deliveries').values({
    id: newId('whd'), event_id: eventId, event: e.event, call_id: e.callId, account_id: e.accountId, url: e.url,
    body, status: 'pending', attempts: 0, next_attempt_at: now, last_error: null, created_at: now, delivered_at: null,
  }).execute();
  return eventId;
}
