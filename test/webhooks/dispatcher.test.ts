import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/open.js';
import { backoffMs } from '../../src/webhooks/backoff.js';
import { WebhookDispatcher, type DispatcherOptions } from '../../src/webhooks/dispatcher.js';
import { enqueueEvent } from '../../src/webhooks/outbox.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { QueryCounter } from '../support/query-counter.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';

const SECRET = 'whsec_dispatcher_test_secret';
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(receiverOpts: Parameters<typeof startReceiver>[0], opts: Partial<DispatcherOptions> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-dispatch-'));
  const db: Db = await openDatabase(dir);
  const hook: Receiver = await startReceiver(receiverOpts);
  const queries = new QueryCounter();
  const dispatcher = new WebhookDispatcher(db.withPlugin(queries), async () => SECRET, { backoffBaseMs: 30, backoffMaxMs: 100, pollMs: 30, timeoutMs: 1000, ...opts });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => db.destroy(), () => hook.close(), () => dispatcher.stop());
  const enqueue = (callId: string, n: number) => enqueueEvent(db, { event: 'call.transcription', callId, accountId: 'default', url: hook.url, data: { n } });
  return { db, hook, dispatcher, enqueue, queries };
}

describe('WebhookDispatcher', () => {
  it('delivers in order per call: the next event waits for the failing one, other calls do not', async () => {
    const { hook, dispatcher, enqueue } = await setup({
      // call_x's first event fails twice before it is accepted.
      respond: (_n, req) => (JSON.parse(req.body).data.n === 1 && failures.count++ < 2 ? 500 : 200),
    });
    const failures = { count: 0 };
    await enqueue('call_x', 1);
    await enqueue('call_x', 2);
    await enqueue('call_y', 3);
    dispatcher.start();
    await waitFor(() => hook.requests.length === 3, 'three deliveries');
    const order = hook.events().map((e) => `${e.call_id}:${(e.data as { n: number }).n}`);
    expect(order.filter((o) => o.startsWith('call_x'))).toEqual(['call_x:1', 'call_x:2']);
    expect(order[0]).toBe('call_y:3');
    expect(hook.attempts()).toBe(5);
    for (const r of hook.requests) expect(verifySignature(SECRET, r.body, r.headers['phonevoice-signature'] as string)).toBe(true);
  });

  it('leaves the outbox alone while every call\u2019s first delivery waits out its backoff, however much is queued behind it', async () => {
    const { db, hook, dispatcher, enqueue, queries } = await setup({ respond: () => 503 }, { backoffBaseMs: 60_000, backoffMaxMs: 60_000, pollMs: 1_000 });
    for (const call of ['call_a', 'call_b']) for (let n = 1; n <= 3; n++) await enqueue(call, n);
    dispatcher.start();
    await waitFor(() => db.selectFrom('webhook_deliveries').select('id').where('attempts', '=', 1).execute().then((r) => r.length === 2), 'both calls\u2019 first attempts recorded');
    const before = queries.count;
    await new Promise((r) => setTimeout(r, 600));
    // Nothing can be due for a minute: at most one look a pollMs, not one every few milliseconds.
    expect(queries.count - before).toBeLessThanOrEqual(3);
    expect(hook.attempts()).toBe(2);
  });

  it('records each attempt; a timeout counts as a failure and is retried', async () => {
    const { db, hook, dispatcher, enqueue } = await setup({ delayMs: (n) => (n === 0 ? 1500 : 0) }, { timeoutMs: 300 });
    await enqueue('call_t', 1);
    dispatcher.start();
    await waitFor(() => hook.requests.length === 1, 'delivery after timeout');
    const delivery = await waitFor(() => db.selectFrom('webhook_deliveries').selectAll().where('status', '=', 'delivered').executeTakeFirst(), 'delivered row');
    const attempts = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', delivery.id).orderBy('attempt').execute();
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0]).toMatchObject({ status_code: null, error: 'connection_failed' });
    expect(attempts.at(-1)).toMatchObject({ status_code: 200, error: null });
    expect(delivery.attempts).toBe(attempts.length);
  });

  it('gives a delivery up after the retry window, then the call’s next event goes out', async () => {
    const { db, hook, dispatcher, enqueue } = await setup({ respond: (_n, req) => (JSON.parse(req.body).data.n === 1 ? 503 : 200) }, { retryWindowMs: 300 });
    await enqueue('call_g', 1);
    await enqueue('call_g', 2);
    dispatcher.start();
    await waitFor(() => hook.requests.length === 1, 'second event');
    expect(hook.events()[0]!.data).toEqual({ n: 2 });
    const failed = await db.selectFrom('webhook_deliveries').selectAll().where('status', '=', 'failed').execute();
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attempts).toBeGreaterThanOrEqual(1);
    expect(failed[0]!.last_error).toBe('HTTP 503');
  });

  it('sends the same bytes, validly signed, on every retry', async () => {
    const { hook, dispatcher, enqueue } = await setup({ respond: (n) => (n === 0 ? 500 : 200) });
    await enqueue('call_b', 1);
    dispatcher.start();
    await waitFor(() => hook.requests.length === 1, 'delivery');
    expect(hook.all).toHaveLength(2);
    expect(hook.all[1]!.body).toBe(hook.all[0]!.body);
    expect(hook.all[1]!.headers['phonevoice-event-id']).toBe(hook.all[0]!.headers['phonevoice-event-id']);
    for (const r of hook.all) expect(verifySignature(SECRET, r.body, r.headers['phonevoice-signature'] as string)).toBe(true);
    expect(JSON.parse(hook.all[0]!.body)).toMatchObject({ event: 'call.transcription', call_id: 'call_b', data: { n: 1 } });
  });
});

describe('WebhookDispatcher.retry', () => {
  it('a retry asked while the attempt is in flight is not lost when that attempt succeeds', async () => {
    const { db, hook, dispatcher, enqueue } = await setup({ delayMs: (n) => (n === 0 ? 300 : 0) });
    await enqueue('call_r', 1);
    dispatcher.start();
    await waitFor(() => hook.all.length === 1, 'first attempt reaching the receiver');
    const row = await db.selectFrom('webhook_deliveries').select('id').executeTakeFirstOrThrow();
    await dispatcher.retry(row.id);
    await waitFor(() => hook.requests.length === 2, 'the re-send after the in-flight success');
    expect(hook.requests[1]!.body).toBe(hook.requests[0]!.body);
    await waitFor(() => db.selectFrom('webhook_deliveries').select('status').where('id', '=', row.id).where('status', '=', 'delivered').executeTakeFirst(), 'delivered');
  });
});

describe('backoffMs', () => {
  it('doubles per attempt with jitter in [0.5, 1) and a cap', () => {
    expect(backoffMs(1, 1000, 3_600_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 3_600_000, () => 0.999)).toBe(1000);
    expect(backoffMs(4, 1000, 3_600_000, () => 0)).toBe(4000);
    expect(backoffMs(40, 1000, 3_600_000, () => 0.999)).toBeLessThanOrEqual(3_600_000);
    // 24 h of retries: the sum of capped delays passes the window after a bounded number of attempts.
    let total = 0;
    let n = 0;
    while (total < 86_400_000) total += backoffMs(++n, 1000, 3_600_000, () => 0);
    expect(n).toBeLessThan(60);
  });
});
