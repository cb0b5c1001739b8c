import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runSipp } from '../sip/harness.js';
import { startChildServer, stopChild } from '../support/child-runner.js';
import { startReceiver, waitFor } from '../support/receiver.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-recovery-inbound-'));
const apiKey = 'pv_recovery_inbound_key_0123456789';
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const api = async (base: string, method: string, route: string, body?: unknown) => {
  const r = await fetch(base + route, { method, headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, json: (await r.json()) as any };
};

describe('crash recovery of inbound calls', () => {
  it('callers whose calls a kill -9 cut get a BYE from the restarted server (UAS-side dialogs), and each call one call.completed', async () => {
    const CALLS = 4;
    const hook = await startReceiver();
    const sipPort = await freePort();
    const env = {
      ...process.env, PV_DATA_DIR: path.join(dir, 'data'), PV_API_KEY: apiKey, PV_SECRET: 'whsec_recovery_inbound_secret',
      PV_SIP_PORT: String(sipPort), PV_RTP_BASE: String(40000 + 2 * Math.floor(Math.random() * 5000)), PV_INBOUND_TRUNK: '1',
    };
    try {
      const first = await startChildServer(env);
      children.push(first.child);
      const asst = await api(first.url, 'POST', '/v1/assistants', { name: 'Inbound', first_message: 'Hello, you reached the recovery test.', webhook_url: hook.url });
      expect((await api(first.url, 'POST', '/v1/phone-numbers', { number: '+15550100200', assistant_id: asst.json.id })).status).toBe(201);

      // SIPp callers that stay on the line until we hang up.
      const sipp = runSipp({ scenario: 'uac-wait-bye.xml', remote: `127.0.0.1:${sipPort}`, localPort: await freePort(), service: '+15550100200', calls: CALLS, timeoutS: 60, keys: { codecs: '0' }, extra: ['-r', '10'] });
      await waitFor(() => hook.events().filter((e) => e.event === 'call.started').length === CALLS, 'every call connected', 20_000);
      await stopChild(first.child, 'SIGKILL');

      const second = await startChildServer(env);
      children.push(second.child);
      const result = await sipp.done;
      // SIPp counts a call as passed only once it got its BYE and answered it.
      expect(result.code, result.output).toBe(0);
      const started = hook.events().filter((e) => e.event === 'call.started').map((e) => e.call_id);
      await waitFor(() => started.every((id) => hook.events().some((e) => e.event === 'call.completed' && e.call_id === id)), 'call.completed for each', 20_000);
      for (const id of started) {
        const completed = hook.events().filter((e) => e.event === 'call.completed' && e.call_id === id);
        expect(new Set(completed.map((e) => e.id)).size).toBe(1);
        expect(completed[0]!.data).toMatchObject({ status: 'completed', end_reason: 'server_restart' });
        expect((await api(second.url, 'GET', `/v1/calls/${id}`)).json).toMatchObject({ direction: 'inbound', status: 'completed', end_reason: 'server_restart' });
      }
      await stopChild(second.child, 'SIGTERM');
    } finally {
      await hook.close();
    }
  }, 120_000);
});
