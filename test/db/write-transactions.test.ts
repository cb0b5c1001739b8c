import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { insertValues, newCallRow } from '../../src/calls/call-row.js';
import { CallStateMachine } from '../../src/calls/state-machine.js';
import { openDatabase, type Db } from '../../src/db/open.js';

/**
 * The database file has two writers in production: the main thread and the webhook delivery
 * thread, each with its own connection. A transaction that read before it wrote, started with
 * a plain BEGIN, failed at once with SQLITE_BUSY whenever the other connection had committed
 * in between (a 200-call load test lost 10–17 call transitions per step that way, leaving those
 * calls open). These tests put a second writer on the same file.
 */
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function open(): Promise<{ db: Db; file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-write-txn-'));
  const db = await openDatabase(dir);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => db.destroy());
  return { db, file: path.join(dir, 'phonevoice.db') };
}

async function insertCall(db: Db, id: string): Promise<void> {
  const row = newCallRow({
    id, accountId: 'default', direction: 'inbound', status: 'ringing', phoneNumber: '+15550100', fromNumber: '+15550199',
    assistantId: 'asst_test', webhookUrl: 'http://127.0.0.1:9/hook', recordingPath: null,
  });
  await db.insertInto('calls').values(insertValues(row)).execute();
}

describe('write transactions with a second writer on the file', () => {
  it('take the write lock at BEGIN: a transaction that reads first still commits when another connection writes meanwhile', async () => {
    const { db, file } = await open();
    await insertCall(db, 'call_a');
    const other = new BetterSqlite3(file);
    cleanup.push(() => void other.close());
    other.pragma('busy_timeout = 0');
    other.exec('create table side (x integer)');

    let otherWrite = 'not tried';
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('calls').select('status').where('id', '=', 'call_a').executeTakeFirstOrThrow();
      try {
        other.prepare('insert into side values (1)').run();
        otherWrite = 'committed';
      } catch (err) {
        otherWrite = (err as { code?: string }).code ?? String(err);
      }
      await trx.updateTable('calls').set({ status: 'in_progress' }).where('id', '=', 'call_a').execute();
    });

    // The transaction held the write lock from its BEGIN, so the other writer had to wait
    // (here: busy_timeout 0, so it was refused); with a plain BEGIN the other write went in
    // and this transaction's update failed instead.
    expect(otherWrite).toBe('SQLITE_BUSY');
    const row = await db.selectFrom('calls').select('status').where('id', '=', 'call_a').executeTakeFirstOrThrow();
    expect(row.status).toBe('in_progress');
  });

  it('every call transition commits, with exactly one call.completed each, while another thread writes the same file', async () => {
    const { db, file } = await open();
    const calls = Array.from({ length: 150 }, (_, i) => `call_${i}`);
    for (const id of calls) await insertCall(db, id);
    const machine = new CallStateMachine(db, { completedData: async () => ({}) });

    // [0]: stop flag, [1]: the other thread's commits so far.
    const shared = new Int32Array(new SharedArrayBuffer(8));
    // Another thread committing small transactions back to back, as the delivery thread does.
    const writer = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const Database = require('better-sqlite3');
       const db = new Database(workerData.file);
       db.pragma('busy_timeout = 5000');
       db.exec('create table if not exists side (x integer)');
       const insert = db.prepare('insert into side values (?)');
       let n = 0;
       parentPort.postMessage('started');
       const shared = new Int32Array(workerData.shared);
       const giveUpAt = Date.now() + 20000;
       while (Atomics.load(shared, 0) === 0 && Date.now() < giveUpAt) {
         insert.run(n++);
         Atomics.add(shared, 1, 1);
       }
       db.close();
       parentPort.postMessage(n);`,
      { eval: true, workerData: { file, shared: shared.buffer } },
    );
    cleanup.push(() => writer.terminate().then(() => undefined));
    const written = new Promise<number>((resolve, reject) => {
      writer.on('message', (m) => typeof m === 'number' && resolve(m));
      writer.on('error', reject);
    });
    await new Promise<void>((resolve) => writer.once('message', () => resolve()));

    const failures: string[] = [];
    let seen = 0;
    for (const id of calls) {
      // A loaded machine may not run the other thread for a while: go on once it has committed
      // again, so its writes fall between (and, while both run, inside) these transactions.
      const waitUntil = Date.now() + 5000;
      while (Atomics.load(shared, 1) === seen && Date.now() < waitUntil) await new Promise((r) => setImmediate(r));
      seen = Atomics.load(shared, 1);
      for (const to of ['in_progress', 'completed'] as const) {
        try {
          const row = await machine.transition(id, to, to === 'completed' ? { ended_at: Date.now(), end_reason: 'customer_hangup' } : {});
          if (!row) failures.push(`${id} → ${to}: refused`);
        } catch (err) {
          failures.push(`${id} → ${to}: ${(err as Error).message}`);
        }
      }
    }
    Atomics.store(shared, 0, 1);
    const otherCommits = await written;

    expect(otherCommits).toBeGreaterThanOrEqual(calls.length); // it committed between every two calls' transitions
    expect(failures).toEqual([]);
    const stillOpen = await db.selectFrom('calls').select('id').where('status', '!=', 'completed').execute();
    expect(stillOpen).toEqual([]);
    const completed = await db.selectFrom('webhook_deliveries').select(({ fn }) => fn.countAll<number>().as('n')).where('event', '=', 'call.completed').executeTakeFirstOrThrow();
    expect(Number(completed.n)).toBe(calls.length);
  });
});
