import { stat } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/open.js';
import { finalizeWav } from '../media/wav-repair.js';
import type { Logger } from '../ops/logger.js';
import type { OrphanEnd, SipDialogState, Telephony } from '../telephony/types.js';
import { closeNow } from './close-now.js';
import { LIVE_STATUSES, type InstanceRegistry } from './ownership.js';
import type { CallRow, CallStateMachine } from './state-machine.js';

export interface RecoveryOptions {
  /** Longest wait for a BYE/CANCEL answer before the call is closed anyway (the request keeps retrying). */
  signalWaitMs: number;
  /** Orphans closed at once. */
  concurrency: number;
}
export const defaultRecoveryOptions: RecoveryOptions = { signalWaitMs: 3_000, concurrency: 64 };

export interface RecoveryDeps {
  db: Db;
  machine: CallStateMachine;
  telephony: Telephony;
  registry: InstanceRegistry;
  pricing: Config['pricing'];
  log: Logger;
}

export interface RecoveredCall { callId: string; status: string; signal: OrphanEnd | null }

/**
 * Crash recovery, run at start: every call the store holds as live whose owning process is
 * gone is closed like a call that ended — its SIP dialog ended from the persisted state
 * (BYE, or CANCEL for an unanswered INVITE), its recording made playable, and a final
 * status with end reason `server_restart` written with its one `call.completed` by the
 * state machine. Duration runs to the last evidence the call was alive (heartbeat).
 */
export async function recoverOrphans(deps: RecoveryDeps, options: Partial<RecoveryOptions> = {}): Promise<RecoveredCall[]> {
  const opts = { ...defaultRecoveryOptions, ...options };
  await deps.registry.deadInstances();
  const alive = await deps.registry.knownInstances();
  const live = await deps.db.selectFrom('calls').selectAll().where('status', 'in', [...LIVE_STATUSES]).execute();
  const orphans = live.filter((row) => !row.owner_instance || !alive.has(row.owner_instance));
  if (orphans.length === 0) return [];
  deps.log.warn({ calls: orphans.length }, 'closing calls left live by a previous process (server_restart)');
  const out: RecoveredCall[] = [];
  const queue = [...orphans];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      try {
        out.push(await closeOrphan(deps, row, opts));
      } catch (err) {
        deps.log.error({ err, call_id: row.id }, 'closing an orphaned call failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, orphans.length) }, worker));
  return out;
}

async function closeOrphan(deps: RecoveryDeps, row: CallRow, opts: RecoveryOptions): Promise<RecoveredCall> {
  const log = deps.log.child({ call_id: row.id });
  const signal = await endDialog(deps.telephony, parseState(row.dialog_state), opts.signalWaitMs);
  let evidence = row.last_seen_at ?? row.created_at;
  if (row.recording_path) {
    // The recorder writes about once a second: its last write is evidence the call was alive (read before the repair touches it).
    const mtime = await stat(row.recording_path).then((s) => s.mtimeMs, () => 0);
    if ((await finalizeWav(row.recording_path)) !== null) evidence = Math.max(evidence, Math.floor(mtime));
  }
  // A call whose status never reached in_progress was not answered as far as anyone was told.
  const answeredAt = row.status === 'in_progress' ? row.answered_at : null;
  const ended = await closeNow(deps.machine, deps.pricing, {
    callId: row.id, answeredAt, endedAt: answeredAt === null ? evidence : Math.max(evidence, answeredAt), endReason: 'server_restart',
    unansweredStatus: 'failed', note: 'the server stopped during the call; it was closed at the next start',
  });
  log.info({ status: ended?.status ?? row.status, signal }, 'call closed after a server restart');
  return { callId: row.id, status: ended?.status ?? row.status, signal };
}

/** BYE/CANCEL through the engine, waiting a bounded time for its answer. */
async function endDialog(telephony: Telephony, state: SipDialogState | null, waitMs: number): Promise<OrphanEnd | null> {
  if (!state || !telephony.endOrphan) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<OrphanEnd>((resolve) => {
    timer = setTimeout(() => resolve({ sent: state.phase === 'confirmed' ? 'BYE' : 'CANCEL', status: null }), waitMs);
  });
  try {
    return await Promise.race([telephony.endOrphan(state), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function parseState(json: string | null): SipDialogState | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as SipDialogState;
  } catch {
    return null;
  }
}
