import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer } from '../support/child-runner.js';
import { startReceiver, waitFor } from '../support/receiver.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'pv-crash-'));
const env = { ...process.env, PV_DATA_DIR: dataDir, PV_API_KEY: 'pv_crash_test_key_0123456789', PV_SECRET: 'whsec_crash_test_secret_0123' };
const children: ChildProcess[] = [];

async function startChild() {
  const running = await startChildServer(env);
  children.push(running.child);
  return running;
}

const api = (url: string, method: string, route: string, body?: unknown) => fetch(url + route, {
  method, headers: { Authorization: `Bearer ${env.PV_API_KEY}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
}).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('webhook outbox survives kill -9', () => {
  it('a call.completed that failed before SIGKILL is delivered once after restart', async () => {
    let receiverUp = false;
    const hook = await startReceiver({ respond: () => (receiverUp ? 200 : 503) });
    try {
      const first = await startChild();
      const asst = await api(first.url, 'POST', '/v1/assistants', { name: 'Crash test' });
      const call = await api(first.url, 'POST', '/v1/calls', { phone_number: '+15550001234', assistant_id: asst.json.id, webhook_url: hook.url });
      expect(call.status).toBe(201);
      // Engine unavailable: the call ends failed/trunk_error and its webhook is refused twice.
      await waitFor(() => hook.attempts() >= 2, 'two failed attempts', 10_000);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      expect(hook.requests).toHaveLength(0);

      receiverUp = true;
      const second = await startChild();
      await waitFor(() => hook.requests.length >= 1, 'delivery after restart', 10_000);
      await new Promise((r) => setTimeout(r, 300));
      const events = hook.events();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ event: 'call.completed', call_id: call.json.id, data: { status: 'failed', end_reason: 'trunk_error' } });

      // The receiver answers before the outbox row is updated: wait for the record to say so.
      const deliveries = await waitFor(async () => {
        const r = await api(second.url, 'GET', `/v1/webhook-deliveries?call_id=${call.json.id}`);
        return r.json.data.some((x: { status: string }) => x.status === 'delivered') ? r : null;
      }, 'the delivery recorded as delivered');
      expect(deliveries.json.data).toHaveLength(1);
      const d = deliveries.json.data[0];
      expect(d).toMatchObject({ status: 'delivered', event: 'call.completed', event_id: events[0]!.id });
      // The attempt in flight at SIGKILL may not have been recorded: at least one 503, then the 200.
      expect(d.attempts.length).toBeGreaterThanOrEqual(2);
      expect(d.attempts[0]).toMatchObject({ status_code: 503, error: 'HTTP 503' });
      expect(d.attempts.at(-1)).toMatchObject({ status_code: 200, error: null });

      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    } finally {
      await hook.close();
    }
  }, 30_000);
});
