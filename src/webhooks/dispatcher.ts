import type { Db } from '../db/open.js';
import type { WebhookDeliveriesTable } from '../db/schema.js';
import type { Logger } from '../ops/logger.js';
import { silentLogger } from '../ops/logger.js';
import { OutboundDeniedError, outboundPost } from '../net/outbound-fetch.js';
import { signatureHeader } from './signature.js';
import { backoffMs } from './backoff.js';

export interface DispatcherOptions {
  timeoutMs: number;
  /** A failing delivery is retried until it is this old, then given up. */
  retryWindowMs: number;
  concurrency: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Upper bound between two looks at the outbox when nothing wakes us. */
  pollMs: number;
  log: Logger;
  onAttempt?: (outcome: 'delivered' | 'failed', durationMs: number) => void;
}

export const defaultDispatcherOptions: Omit<DispatcherOptions, 'log'> & { log: Logger } = {
  timeoutMs: 10_000,
  retryWindowMs: 86_400_000,
  concurrency: 8,
  backoffBaseMs: 1_000,
  backoffMaxMs: 3_600_000,
  pollMs: 1_000,
  log: silentLogger,
};

/** What the server and the API need of a dispatcher, wherever it runs (this thread or its own). */
export interface Dispatcher {
  start(): void;
  /** Something was enqueued or became due: look at the outbox now. */
  kick(): void;
  /** Stop taking new work and wait for the attempts in flight. */
  stop(): Promise<void>;
  /** Shutdown: attempt what is due now, for at most `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Send a delivery again (POST /v1/webhook-deliveries/{id}/retry). */
  retry(id: string): Promise<void>;
}

/** A delivery due again now, whatever it was: the next pass (of this run or, once stopped, the next start) sends it. */
export async function markForRetry(db: Db, id: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ status: 'pending', next_attempt_at: Date.now() }).where('id', '=', id).execute();
}

type Delivery = Pick<WebhookDeliveriesTable, 'id' | 'event_id' | 'call_id' | 'url' | 'body' | 'attempts' | 'created_at'> & { seq: number };

/**
 * Sends outbox rows at least once, in order per call: a call's next delivery waits until
 * the previous one succeeded or was given up. All state lives in SQLite, so a restart (even
 * after kill -9) picks up exactly where the last committed attempt left off.
 */
export class WebhookDispatcher implements Dispatcher {
  readonly #db: Db;
  readonly #secret: () => Promise<string>;
  readonly #opts: DispatcherOptions;
  readonly #inflightCalls = new Set<string>();
  readonly #inflight = new Set<Promise<void>>();
  /** Deliveries being sent right now, and those asked to be sent again meanwhile. */
  readonly #sending = new Set<string>();
  readonly #resend = new Set<string>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #pumping = false;
  #again = false;
  #running = false;

  constructor(db: Db, secret: () => Promise<string>, options: Partial<DispatcherOptions> = {}) {
    this.#db = db;
    this.#secret = secret;
    this.#opts = { ...defaultDispatcherOptions, ...options };
  }

  start(): void {
    this.#running = true;
    this.kick();
  }

  /** Something was enqueued or became due: look at the outbox now. */
  kick(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    void this.#pump().catch((err) => this.#opts.log.error({ err }, 'webhook dispatcher pass failed'));
  }

  /** Stop taking new work and wait for the attempts in flight to finish (each bounded by timeoutMs). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inflight]);
  }

  /**
   * Shutdown: attempt what is due now (the call.completed of calls just ended) before the
   * process exits, for at most `timeoutMs`. Deliveries that fail wait for their retry after
   * the next start, as always.
   */
  async drain(timeoutMs: number): Promise<void> {
    const started = Date.now();
    while (this.#running && Date.now() < started + timeoutMs) {
      // Due since before the drain began and first in its call's queue: one that failed meanwhile is not due again.
      const due = await this.#db.selectFrom('webhook_deliveries as d').select('d.id')
        .where('d.seq', 'in', this.#heads()).where('d.next_attempt_at', '<=', started)
        .limit(1).executeTakeFirst();
      if (!due && this.#inflight.size === 0) return;
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Send a delivery again (POST /v1/webhook-deliveries/{id}/retry). */
  async retry(id: string): Promise<void> {
    // An attempt in flight would overwrite the status when it ends: it re-queues itself instead.
    if (this.#sending.has(id)) this.#resend.add(id);
    await markForRetry(this.#db, id);
    this.kick();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    let idle = true;
    try {
      do {
        this.#again = false;
        const free = this.#opts.concurrency - this.#inflightCalls.size;
        if (free <= 0 || !this.#running) break;
        const due = await this.#due(free);
        // Work in flight re-kicks the pump when it finishes; only an idle pump needs a timer.
        if (due.length > 0) idle = false;
        for (const row of due) {
          this.#inflightCalls.add(row.call_id);
          const p: Promise<void> = this.#deliver(row)
            .catch((err) => this.#opts.log.error({ err, call_id: row.call_id }, 'webhook delivery bookkeeping failed'))
            .finally(() => {
              this.#inflightCalls.delete(row.call_id);
              this.#inflight.delete(p);
              this.kick();
            });
          this.#inflight.add(p);
        }
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
    if (idle || this.#inflightCalls.size === 0) await this.#schedule();
  }

  /**
   * Each call's oldest pending delivery, the only one of the call that may go out (by seq, read
   * from the (status, call_id, seq) index alone). What waits behind it is never due by itself.
   */
  #heads() {
    return this.#db.selectFrom('webhook_deliveries').select((eb) => eb.fn.min('seq').as('seq'))
      .where('status', '=', 'pending').groupBy('call_id');
  }

  /** The first pending delivery of each call that is due and not already being sent. */
  async #due(limit: number): Promise<Delivery[]> {
    const busy = [...this.#inflightCalls];
    return this.#db.selectFrom('webhook_deliveries as d')
      .select(['d.id', 'd.seq', 'd.event_id', 'd.call_id', 'd.url', 'd.body', 'd.attempts', 'd.created_at'])
      .where('d.seq', 'in', this.#heads())
      .where('d.next_attempt_at', '<=', Date.now())
      .$if(busy.length > 0, (qb) => qb.where('d.call_id', 'not in', busy))
      .orderBy('d.seq').limit(limit).execute();
  }

  /**
   * Wake up when the next call's first delivery falls due. Calls with an attempt in flight are
   * left out (its end kicks the pump), and so is everything queued behind a first delivery: a
   * row waiting behind one that backs off is "due" by its own time, and counting it made the
   * pump look at the outbox every 10 ms for as long as a receiver was down.
   */
  async #schedule(): Promise<void> {
    if (!this.#running) return;
    const busy = [...this.#inflightCalls];
    const next = await this.#db.selectFrom('webhook_deliveries as d').select((eb) => eb.fn.min('d.next_attempt_at').as('at'))
      .where('d.seq', 'in', this.#heads())
      .$if(busy.length > 0, (qb) => qb.where('d.call_id', 'not in', busy))
      .executeTakeFirst();
    const at = next?.at == null ? Infinity : Number(next.at);
    const delay = Math.max(10, Math.min(this.#opts.pollMs, at - Date.now()));
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), delay);
    this.#timer.unref();
  }

  async #deliver(row: Delivery): Promise<void> {
    this.#sending.add(row.id);
    try {
      await this.#attempt(row);
    } finally {
      this.#sending.delete(row.id);
      this.#resend.delete(row.id);
    }
  }

  async #attempt(row: Delivery): Promise<void> {
    const attempt = row.attempts + 1;
    const startedAt = Date.now();
    const t0 = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const secret = await this.#secret();
      statusCode = await outboundPost(row.url, {
        headers: {
          'Content-Type': 'application/json',
          'PhoneVoice-Signature': signatureHeader(secret, row.body, Math.floor(Date.now() / 1000)),
          'PhoneVoice-Event-Id': row.event_id,
          'User-Agent': 'PhoneVoice-Webhooks/1',
        },
        body: row.body,
        timeoutMs: this.#opts.timeoutMs,
        signal: this.#abort.signal,
      });
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (err) {
      // What the delivery log shows must not tell a refused port from a silent one (no port
      // scanning through webhooks): every failure without an HTTP answer is connection_failed.
      error = err instanceof OutboundDeniedError ? err.message : 'connection_failed';
      this.#opts.log.debug({ err, call_id: row.call_id, delivery_id: row.id }, 'webhook attempt got no HTTP answer');
    }
    const durationMs = performance.now() - t0;
    const now = Date.now();
    const delivered = error === null;
    const givenUp = !delivered && now - row.created_at >= this.#opts.retryWindowMs;
    const again = this.#resend.has(row.id);
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('webhook_attempts').values({
        delivery_id: row.id, attempt, started_at: startedAt, duration_ms: durationMs, status_code: statusCode, error,
      }).onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing()).execute();
      await trx.updateTable('webhook_deliveries').set({
        attempts: attempt,
        status: again ? 'pending' : delivered ? 'delivered' : givenUp ? 'failed' : 'pending',
        delivered_at: delivered ? now : null,
        last_error: error,
        next_attempt_at: again || delivered || givenUp ? now : now + backoffMs(attempt, this.#opts.backoffBaseMs, this.#opts.backoffMaxMs),
      }).where('id', '=', row.id).execute();
    });
    this.#opts.onAttempt?.(delivered ? 'delivered' : 'failed', durationMs);
    const log = this.#opts.log.child({ call_id: row.call_id, delivery_id: row.id });
    if (delivered) log.debug({ attempt, durationMs }, 'webhook delivered');
    else if (givenUp) log.warn({ attempt, error }, 'webhook given up after retry window');
    else log.info({ attempt, error }, 'webhook attempt failed, will retry');
  }
}
