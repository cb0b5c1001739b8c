import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { newId } from '../db/ids.js';
import type { Logger } from '../ops/logger.js';
import type { SipDialogState } from '../telephony/types.js';

/** Statuses of a call some process is still running. */
export const LIVE_STATUSES = ['queued', 'ringing', 'in_progress'] as const;

export interface OwnershipOptions {
  /** How often this process stamps its instance row and its live calls. */
  heartbeatMs: number;
  /** An instance silent this long is taken for dead, wherever it ran. */
  staleAfterMs: number;
}
export const defaultOwnershipOptions: OwnershipOptions = { heartbeatMs: 2_000, staleAfterMs: 30_000 };

export interface LiveDialog { callId: string; state: SipDialogState | null }

/**
 * This process as the owner of its live calls. Each start registers a new instance; a
 * heartbeat stamps the instance and its calls (`last_seen_at`, the evidence a recovered
 * call's duration stops at) and persists dialog states that moved. An instance is dead when
 * it stopped cleanly (row deleted), when its pid is gone on this host (kill -9, container
 * restart reusing our pid), or when its heartbeat is stale.
 */
export class InstanceRegistry {
  readonly id = newId('inst');
  readonly #db: Db;
  readonly #log: Logger;
  readonly #opts: OwnershipOptions;
  readonly #host = hostname();
  /** Last dialog state written per call, to write only changes. */
  readonly #persisted = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #beat: Promise<void> = Promise.resolve();

  constructor(db: Db, log: Logger, options: Partial<OwnershipOptions> = {}) {
    this.#db = db;
    this.#log = log;
    this.#opts = { ...defaultOwnershipOptions, ...options };
  }

  async register(): Promise<void> {
    const now = Date.now();
    await this.#db.insertInto('instances').values({ id: this.id, hostname: this.#host, pid: process.pid, started_at: now, heartbeat_at: now }).execute();
  }

  /** Start the heartbeat; `live` lists the calls this process runs now. */
  start(live: () => LiveDialog[]): void {
    this.#timer = setInterval(() => {
      this.#beat = this.#beat.then(() => this.heartbeat(live())).catch((err) => this.#log.warn({ err }, 'ownership heartbeat failed'));
    }, this.#opts.heartbeatMs);
    this.#timer.unref();
  }

  async heartbeat(live: LiveDialog[]): Promise<void> {
    const now = Date.now();
    const changed = live.filter((d) => d.state && this.#persisted.get(d.callId) !== JSON.stringify(d.state));
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('instances').set({ heartbeat_at: now }).where('id', '=', this.id).execute();
      await trx.updateTable('calls').set({ last_seen_at: now })
        .where('owner_instance', '=', this.id).where('status', 'in', [...LIVE_STATUSES]).execute();
      for (const d of changed) {
        await trx.updateTable('calls').set({ dialog_state: JSON.stringify(d.state) }).where('id', '=', d.callId).execute();
      }
    });
    const ids = new Set(live.map((d) => d.callId));
    for (const id of this.#persisted.keys()) if (!ids.has(id)) this.#persisted.delete(id);
    for (const d of changed) this.#persisted.set(d.callId, JSON.stringify(d.state));
  }

  /** Persist a call's dialog state now (INVITE sent, call answered): a crash right after must still find it. */
  async saveDialog(callId: string, state: SipDialogState): Promise<void> {
    const json = JSON.stringify(state);
    if (this.#persisted.get(callId) === json) return;
    await this.#db.updateTable('calls').set({ dialog_state: json, last_seen_at: Date.now() }).where('id', '=', callId).execute();
    this.#persisted.set(callId, json);
  }

  /** Instances other than this one that no longer run; their rows are removed. */
  async deadInstances(): Promise<Set<string>> {
    const now = Date.now();
    const rows = await this.#db.selectFrom('instances').selectAll().where('id', '!=', this.id).execute();
    const dead = rows.filter((r) => now - r.heartbeat_at > this.#opts.staleAfterMs
      || (r.hostname === this.#host && (r.pid === process.pid || !pidAlive(r.pid))));
    if (dead.length) await this.#db.deleteFrom('instances').where('id', 'in', dead.map((r) => r.id)).execute();
    return new Set(dead.map((r) => r.id));
  }

  /** Ids of every instance still registered (dead ones are removed by deadInstances first). */
  async knownInstances(): Promise<Set<string>> {
    const rows = await this.#db.selectFrom('instances').select('id').execute();
    return new Set(rows.map((r) => r.id));
  }

  /** Clean stop: the calls this process ran are closed, so nothing is left to recover. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#beat;
    await this.#db.deleteFrom('instances').where('id', '=', this.id).execute();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
