import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../db/open.js';
import type { CallsTable, Database } from '../db/schema.js';
import { enqueueEvent } from '../webhooks/outbox.js';
import type { CallStatus, EndReason } from './types.js';

/**
 * The one place that knows how a call's status may change, and which webhook each change
 * emits. A transition and its event are written in one transaction, and an impossible
 * transition (anything after a terminal status) is refused, so every call gets exactly
 * one `call.completed`.
 */
const NEXT: Record<CallStatus, readonly CallStatus[]> = {
  queued: ['ringing', 'in_progress', 'busy', 'no_answer', 'failed', 'canceled'],
  ringing: ['in_progress', 'busy', 'no_answer', 'failed', 'canceled'],
  in_progress: ['completed'],
  completed: [],
  busy: [],
  no_answer: [],
  failed: [],
  canceled: [],
};

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(status: CallStatus): boolean {
  return NEXT[status].length === 0;
}

/** Status of a call that never connected, from the reason it did not. */
export function statusForUnconnected(endReason: EndReason): CallStatus {
  switch (endReason) {
    case 'busy': return 'busy';
    case 'no_answer': return 'no_answer';
    case 'canceled':
    case 'customer_hangup': // an inbound caller who gave up before the answer
      return 'canceled';
    default: return 'failed';
  }
}

export type CallRow = Selectable<CallsTable>;
export type CallPatch = Partial<Pick<CallsTable, 'answered_at' | 'ended_at' | 'duration_seconds' | 'end_reason' | 'sip_status' | 'cost' | 'analysis' | 'media_stats'>>;

export interface StateMachineOptions {
  /** Data of `call.completed`, read inside the transaction that ends the call. */
  completedData(trx: Transaction<Database>, row: CallRow): Promise<Record<string, unknown>>;
  /** After commit (metrics, waking the dispatcher). */
  onTransition?(row: CallRow, from: CallStatus): void;
}

export class CallStateMachine {
  readonly #db: Db;
  readonly #opts: StateMachineOptions;

  constructor(db: Db, options: StateMachineOptions) {
    this.#db = db;
    this.#opts = options;
  }

  /** Move a call to `to`; resolves with the updated row, or null when the move is refused. */
  async transition(callId: string, to: CallStatus, patch: CallPatch = {}): Promise<CallRow | null> {
    const result = await this.#db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
      if (!current) return null;
      const from = current.status as CallStatus;
      if (!canTransition(from, to)) return null;
      await trx.updateTable('calls').set({ ...patch, status: to }).where('id', '=', callId).execute();
      const row = { ...current, ...patch, status: to } as CallRow;
      if (to === 'in_progress') {
        await enqueueEvent(trx, {
          event: 'call.started', callId, accountId: row.account_id, url: row.webhook_url,
          data: {
            direction: row.direction, phone_number: row.phone_number, from_number: row.from_number,
            assistant_id: row.assistant_id, metadata: JSON.parse(row.metadata),
          },
        });
      } else if (isTerminal(to)) {
        await enqueueEvent(trx, {
          event: 'call.completed', callId, accountId: row.account_id, url: row.webhook_url,
          data: await this.#opts.completedData(trx, row),
        });
      }
      return { row, from };
    });
    if (!result) return null;
    this.#opts.onTransition?.(result.row, result.from);
    return result.row;
  }
}
