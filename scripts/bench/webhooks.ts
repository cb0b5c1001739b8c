/**
 * Webhook delivery cost: CPU of this process per delivered event — the outbox insert, the
 * dispatcher's queries, signing, the HTTP POST and the attempt's bookkeeping — with events
 * trickling in over 200 calls as a live server's do, against a bare undici POST of the same
 * body to the same receiver in the same run. The receiver is a child process, so its CPU is
 * not counted. Statements per event come from a Kysely plugin that counts them.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { openDatabase } from '../../src/db/open.js';
import { outboundPolicy, setOutboundPolicy } from '../../src/net/outbound-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { enqueueEvent } from '../../src/webhooks/outbox.js';
import { QueryCounter } from '../../test/support/query-counter.js';
import { runWhenMain } from './_standalone.js';
import type { BenchOptions, BenchResult } from './types.js';

const CALLS = 200;

const RECEIVER = `const http = require('node:http');
const s = http.createServer((q, r) => { q.resume(); q.on('end', () => r.writeHead(204).end()); });
s.listen(0, '127.0.0.1', () => process.send(s.address().port));`;

/** CPU of this process, in µs, while `work` runs. */
async function cpuOf(work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

export default async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const events = opts.quick ? 300 : 2000;
  const rate = 200; // events a second: a few times what 200 live calls send
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-bench-webhooks-'));
  const receiverFile = path.join(dir, 'receiver.cjs');
  writeFileSync(receiverFile, RECEIVER);
  const receiver = fork(receiverFile, { stdio: 'ignore' });
  const agent = new Agent();
  const db = await openDatabase(dir);
  const statements = new QueryCounter();
  const counted = db.withPlugin(statements);
  const policyBefore = outboundPolicy();
  setOutboundPolicy(new OutboundPolicy({ allow: ['127.0.0.1'] })); // the receiver is on loopback
  const dispatcher = new WebhookDispatcher(counted, async () => 'whsec_bench_webhooks_0123456789');
  try {
    const port = await new Promise<number>((resolve, reject) => {
      receiver.once('message', (m) => resolve(m as number));
      receiver.once('error', reject);
    });
    const url = `http://127.0.0.1:${port}/hook`;
    const data = { role: 'user', text: 'I would like to move my appointment to Thursday afternoon, if that still works.', start_ms: 12_340, end_ms: 15_020 };
    const body = JSON.stringify({ id: 'evt_bench', event: 'call.transcription', call_id: 'call_bench', timestamp: 0, data });

    // Baseline: the same bytes POSTed with undici, one after another, nothing else.
    const post = async () => {
      const res = await agent.request({ origin: `http://127.0.0.1:${port}`, path: '/hook', method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      await res.body.dump();
    };
    for (let i = 0; i < 200; i++) await post();
    const bareUs = await cpuOf(async () => {
      for (let i = 0; i < events; i++) await post();
    }) / events;

    // The outbox and the dispatcher, events arriving at `rate` over CALLS calls.
    dispatcher.start();
    const delivered = async () => {
      const row = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow();
      return Number(row.n);
    };
    const trickle = async (n: number, offset: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await enqueueEvent(counted, { event: 'call.transcription', callId: `call_${(offset + i) % CALLS}`, accountId: 'default', url, data });
        dispatcher.kick();
        const wait = t0 + ((i + 1) * 1000) / rate - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      for (let waited = 0; (await delivered()) < offset + n; waited += 5) {
        if (waited > 30_000) throw new Error(`webhooks: ${offset + n - (await delivered())} events not delivered after 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await trickle(200, 0); // warm-up
    opts.log(`${events} events over ${CALLS} calls at ${rate}/s through the outbox and the dispatcher`);
    const statementsBefore = statements.count;
    const wall = performance.now();
    const deliveryUs = await cpuOf(() => trickle(events, 200)) / events;
    const seconds = (performance.now() - wall) / 1000;
    const perEvent = (statements.count - statementsBefore) / events;
    const ratio = Math.round((deliveryUs / bareUs) * 100) / 100;
    return [{
      name: 'webhooks: CPU per delivered event', value: Math.round(deliveryUs), unit: 'µs',
      baseline: { name: 'bare undici POST of the same body', value: Math.round(bareUs), unit: 'µs' }, ratio,
      note: `${events} events in ${seconds.toFixed(1)} s; outbox insert + dispatcher (queries, signing, POST, attempt bookkeeping) = ${ratio}× a bare POST; ${perEvent.toFixed(1)} SQL statements per event (Kysely plugin count, the insert included); at 200 live calls (~60 events/s) each 1 ms per event is ~6 % of a core`,
    }];
  } finally {
    await dispatcher.stop();
    setOutboundPolicy(policyBefore);
    await agent.close();
    await db.destroy();
    receiver.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

runWhenMain(import.meta.url, run);
