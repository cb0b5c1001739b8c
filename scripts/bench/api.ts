/**
 * API benchmark: create-call throughput and latency through the whole control plane (auth,
 * validation, SQLite insert, dial through the telephony double, call.completed into the
 * outbox, signed delivery to a local receiver), against a bare Hono route in the same run;
 * and webhook delivery latency from the committed event to the receiver's 2xx.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createServer } from '../../src/server.js';
import { FakeAgentFactory } from '../../test/support/fake-agent.js';
import { FakeTelephony } from '../../test/support/fake-telephony.js';
import { startReceiver, waitFor } from '../../test/support/receiver.js';
import type { BenchOptions, BenchResult } from './types.js';

interface LoadResult { rps: number; p50: number; p95: number; p99: number; errors: number }

function pct(sorted: number[], q: number): number {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 100) / 100 : NaN;
}

/** `total` requests from `concurrency` closed-loop clients; latency per request in ms. */
async function load(total: number, concurrency: number, send: (i: number) => Promise<Response>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      const res = await send(i);
      await res.arrayBuffer();
      latencies.push(performance.now() - s);
      if (res.status !== 201) errors++;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: Math.round(total / seconds), p50: pct(latencies, 0.5), p95: pct(latencies, 0.95), p99: pct(latencies, 0.99), errors };
}

async function bareHono(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Hono();
  app.post('/v1/calls', async (c) => c.json({ id: 'call_x', object: 'call', status: 'queued', ...(await c.req.json()) }, 201));
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export default async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const total = opts.quick ? 300 : 2000;
  const concurrency = 8;
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-bench-api-'));
  const hook = await startReceiver();
  const bare = await bareHono();
  const config = validateConfig({
    data_dir: dir, http: { host: '127.0.0.1', port: 0 }, api_key: 'pv_bench_key_0123456789abcdef', webhook_secret: 'whsec_bench_secret_0123456789',
    log: { level: 'silent' }, limits: { max_concurrent_calls: 100_000 }, webhooks: { concurrency: 16 },
    // The webhook receiver of the benchmark listens on loopback.
    outbound_urls: { allow: ['127.0.0.0/8'] },
  });
  const server = await createServer({ config, log: silentLogger, telephony: new FakeTelephony(), agents: new FakeAgentFactory() });
  try {
    const url = await server.listen();
    const headers = { Authorization: `Bearer ${config.api_key}`, 'Content-Type': 'application/json' };
    const asst = (await (await fetch(`${url}/v1/assistants`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench' }) })).json()) as { id: string };
    // Busy numbers: each call ends at once and emits exactly one call.completed to the receiver.
    const body = (i: number) => JSON.stringify({ phone_number: `+1555${String(i).padStart(6, '0')}486`.slice(0, 16), assistant_id: asst.id, webhook_url: hook.url });
    const post = (base: string) => (i: number) => fetch(`${base}/v1/calls`, { method: 'POST', headers, body: body(i) });

    await load(50, concurrency, post(bare.url));
    await load(50, concurrency, post(url));
    opts.log(`api: ${total} requests × 2, ${concurrency} concurrent clients`);
    const base = await load(total, concurrency, post(bare.url));
    const full = await load(total, concurrency, post(url));
    if (full.errors) opts.log(`api: ${full.errors} create-call errors`);

    await waitFor(() => hook.requests.length >= total + 50, 'every call.completed delivered', 120_000);
    const created = new Map((await server.db.selectFrom('webhook_deliveries').select(['event_id', 'created_at']).execute()).map((r) => [r.event_id, r.created_at]));
    const delivery = hook.requests
      .map((r) => r.at - (created.get(r.headers['phonevoice-event-id'] as string) ?? NaN))
      .filter((x) => Number.isFinite(x)).sort((a, b) => a - b);

    return [
      {
        name: 'api: create call (POST /v1/calls)', value: full.rps, unit: 'req/s', p50: full.p50, p95: full.p95, p99: full.p99,
        baseline: { name: 'bare Hono route', value: base.rps, unit: 'req/s' }, ratio: Math.round((full.rps / base.rps) * 1000) / 1000,
        note: `ratio = throughput / bare route; latency ms (bare p50 ${base.p50}, p99 ${base.p99}); ${concurrency} clients; webhooks flowing; ${full.errors} errors`,
      },
      {
        name: 'api: create call p99 latency', value: full.p99, unit: 'ms', p50: full.p50, p95: full.p95, p99: full.p99,
        baseline: { name: 'bare Hono route p99', value: base.p99, unit: 'ms' }, ratio: Math.round((full.p99 / base.p99) * 100) / 100,
        note: 'ratio = p99 / bare p99 (lower is better)',
      },
      {
        name: 'api: webhook delivery latency (commit → 2xx)', value: pct(delivery, 0.99), unit: 'ms p99',
        p50: pct(delivery, 0.5), p95: pct(delivery, 0.95), p99: pct(delivery, 0.99),
        note: `${delivery.length} deliveries, measured under the create-call load above`,
      },
    ];
  } finally {
    await server.close();
    await bare.close();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
