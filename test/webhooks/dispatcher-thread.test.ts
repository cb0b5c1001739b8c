import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { createLogger, silentLogger } from '../../src/ops/logger.js';
import { enqueueEvent } from '../../src/webhooks/outbox.js';
import { DispatcherThread } from '../../src/webhooks/dispatcher-thread.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor } from '../support/receiver.js';
import { ownNice, threadNices } from '../support/thread-nice.js';

/**
 * A webhook receiver on a thread of its own, answering every request 503 so the dispatcher
 * keeps retrying: it records when each request came while the test's thread is blocked.
 */
async function startThreadReceiver() {
  const worker = new Worker(`
    const { createServer } = require('node:http');
    const { parentPort } = require('node:worker_threads');
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => { parentPort.postMessage({ at: Date.now() }); res.writeHead(503).end(); });
    });
    server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
  `, { eval: true });
  const arrivals: number[] = [];
  const port = await new Promise<number>((resolve) => worker.on('message', (m: { port?: number; at?: number }) => {
    if (m.port) resolve(m.port);
    else arrivals.push(m.at!);
  }));
  return { url: `http://127.0.0.1:${port}/hook`, arrivals, close: () => worker.terminate() };
}

/** Hold this thread (the server's main thread: the test runs in it) for `ms`, as a long task would. */
function blockMainThread(ms: number): { from: number; to: number } {
  const from = Date.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return { from, to: Date.now() };
}

let t: TestServer | null = null;
let receiver: Awaited<ReturnType<typeof startThreadReceiver>> | null = null;
afterEach(async () => {
  await t?.close();
  await receiver?.close();
  t = null;
  receiver = null;
});

/** A call whose webhooks are refused, then the main thread held 2 s: the attempts made meanwhile. */
async function attemptsWhileBlocked(config: Record<string, unknown>, lines: string[] = []) {
  receiver = await startThreadReceiver();
  const log = createLogger('info', { write: (line: string) => { lines.push(line); } } as never);
  t = await startTestServer({ config, server: { log, dispatcher: { backoffBaseMs: 200, backoffMaxMs: 200, pollMs: 50 } } });
  const asst = await t.createAssistant();
  const call = await t.api('POST', '/v1/calls', { phone_number: '+15550001111', assistant_id: asst.id, webhook_url: receiver.url });
  expect(call.status).toBe(201);
  await waitFor(() => receiver!.arrivals.length >= 1, 'a first attempt', 10_000);
  const block = blockMainThread(2000);
  // The receiver's messages queued while this thread was held: let them in.
  await new Promise((r) => setTimeout(r, 50));
  return { during: receiver.arrivals.filter((at) => at > block.from && at < block.to).length, callId: call.json.id as string };
}

describe('webhook delivery thread', () => {
  it('keeps delivering while the main thread is blocked; its logs and metrics reach the main thread', async () => {
    const lines: string[] = [];
    const { during, callId } = await attemptsWhileBlocked({}, lines);
    // Retries every 200 ms for 2 s; a loaded box may lose some, never all.
    expect(during).toBeGreaterThanOrEqual(3);
    expect(t!.server.dispatcher).toBeInstanceOf(DispatcherThread);

    const failed = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'webhook attempt failed, will retry');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0]).toMatchObject({ component: 'webhooks', call_id: callId, error: 'HTTP 503', level: 30 });
    const counted = (await t!.server.metrics.webhookAttempts.get()).values.find((v) => v.labels.outcome === 'failed');
    expect(counted?.value).toBeGreaterThanOrEqual(during);
  });

  it('on the main thread (delivery_thread: false) nothing goes out while that thread is blocked', async () => {
    const { during } = await attemptsWhileBlocked({ webhooks: { delivery_thread: false } });
    expect(during).toBe(0);
  });

  it('runs 10 nice steps below the main thread, so the media clock wins a busy CPU', async (ctx) => {
    if (!existsSync('/proc/thread-self')) return ctx.skip('skipped: per-thread priorities are read from Linux /proc');
    const mine = ownNice();
    expect(threadNices().filter((n) => n === Math.min(19, mine + 10))).toHaveLength(0);
    t = await startTestServer();
    await waitFor(() => threadNices().filter((n) => n === Math.min(19, mine + 10)).length === 1, 'one thread at nice +10', 10_000);
  });

  it('a thread that dies is started again and the outbox is delivered', async () => {
    const lines: string[] = [];
    receiver = await startThreadReceiver();
    const log = createLogger('info', { write: (line: string) => { lines.push(line); } } as never);
    t = await startTestServer({ server: { log, dispatcher: { backoffBaseMs: 100, backoffMaxMs: 100, pollMs: 50 } } });
    const asst = await t.createAssistant();
    await t.api('POST', '/v1/calls', { phone_number: '+15550001111', assistant_id: asst.id, webhook_url: receiver.url });
    await waitFor(() => receiver!.arrivals.length >= 1, 'a first attempt', 10_000);
    (t.server.dispatcher as DispatcherThread).crashDrill();
    await waitFor(() => lines.some((l) => l.includes('webhook delivery thread exited')), 'the exit logged', 5_000);
    const after = receiver.arrivals.length;
    await waitFor(() => receiver!.arrivals.length > after + 1, 'attempts from the new thread', 10_000);
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.msg.includes('webhook delivery thread exited'))).toMatchObject({ level: 50, code: 1 });
  });

  it('a retry asked after stop() is kept in the outbox for the next start, without starting the thread again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pv-dthread-'));
    const db = await openDatabase(dir);
    const hook = await startReceiver();
    const threads = () => readdirSync('/proc/self/task').length;
    const newThread = () => new DispatcherThread({
      dataDir: dir, db, log: silentLogger, tuning: { pollMs: 50 }, pinnedSecret: 'whsec_thread_retry', generatedSecret: 'whsec_unused',
      policy: { outbound_urls: { allow: ['127.0.0.1'], deny: [], allow_public: false }, default_webhook_url: null, providers: { ollama: { url: 'http://127.0.0.1:11434' } } },
    });
    try {
      await enqueueEvent(db, { event: 'call.completed', callId: 'call_r', accountId: 'default', url: hook.url, data: {} });
      const first = newThread();
      first.start();
      await waitFor(() => hook.requests.length === 1, 'the first delivery', 10_000);
      const row = () => db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
      await waitFor(async () => (await row()).status === 'delivered', 'the delivery recorded', 10_000);
      await first.stop();
      const before = threads();
      const asked = Date.now();
      await first.retry((await row()).id);
      expect(await row()).toMatchObject({ status: 'pending' });
      expect((await row()).next_attempt_at).toBeGreaterThanOrEqual(asked);
      await new Promise((r) => setTimeout(r, 200));
      expect(threads()).toBe(before);
      expect(hook.requests).toHaveLength(1);
      const second = newThread();
      second.start();
      await waitFor(() => hook.requests.length === 2, 'the retry sent by the next start', 10_000);
      expect(hook.requests[1]!.body).toBe(hook.requests[0]!.body);
      await second.stop();
    } finally {
      await hook.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints the WAL that the main thread\u2019s connection (autoCheckpoint: false) leaves to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pv-dthread-ckpt-'));
    const db = await openDatabase(dir, { autoCheckpoint: false });
    const file = path.join(dir, 'phonevoice.db');
    const thread = new DispatcherThread({
      dataDir: dir, db, log: silentLogger, tuning: { pollMs: 50 }, pinnedSecret: 'whsec_thread_ckpt', generatedSecret: 'whsec_unused',
      policy: { outbound_urls: { allow: ['127.0.0.1'], deny: [], allow_public: false }, default_webhook_url: null, providers: { ollama: { url: 'http://127.0.0.1:11434' } } },
    });
    try {
      // ~3 MB (over 700 pages) of rows, written by the main thread's connection alone.
      const writeRows = async (from: number) => {
        for (let i = from; i < from + 300; i++) {
          await db.insertInto('transcript').values({ call_id: 'call_ckpt', role: 'user', text: 'x'.repeat(10_000), start_ms: i, end_ms: i, interrupted: 0, kind: 'speech' }).execute();
        }
      };
      await writeRows(0);
      expect(statSync(`${file}-wal`).size / 4096).toBeGreaterThan(700);
      // Its commits do not checkpoint: the pages are still only in the WAL.
      const before = statSync(file).size;
      expect(before).toBeLessThan(1_000_000);
      thread.start();
      await waitFor(() => statSync(file).size > 3_000_000, 'the rows checkpointed into the database file', 10_000);
      await thread.stop();
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
