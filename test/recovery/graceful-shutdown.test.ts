import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { FakeAgentFactory } from '../support/fake-agent.js';
import { startTestServer } from '../support/harness.js';
import { startReceiver, waitFor } from '../support/receiver.js';

describe('graceful shutdown leaves no call without its call.completed', () => {
  it('a call whose analysis outlasts the shutdown wait is closed server_shutdown, and its call.completed is delivered before exit', async () => {
    const hook = await startReceiver();
    // The analysis never finishes in time: before the fix the process exited with the call in_progress.
    const s = await startTestServer({
      agents: new FakeAgentFactory({ analyzeDelayMs: 60_000 }),
      server: { calls: { analyzeTimeoutMs: 60_000, shutdownTimeoutMs: 300 } },
    });
    try {
      const asst = await s.createAssistant();
      const call = await s.api('POST', '/v1/calls', { phone_number: '+15550007777', assistant_id: asst.id, webhook_url: hook.url });
      await waitFor(() => hook.events().some((e) => e.event === 'call.started'), 'call.started');
      await s.server.close();

      const completed = hook.events().filter((e) => e.event === 'call.completed');
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ call_id: call.json.id, data: { status: 'completed', end_reason: 'server_shutdown' } });
      const db = await openDatabase(s.dir);
      try {
        const row = await db.selectFrom('calls').select(['status', 'end_reason']).where('id', '=', call.json.id).executeTakeFirstOrThrow();
        expect(row).toEqual({ status: 'completed', end_reason: 'server_shutdown' });
        const pending = await db.selectFrom('webhook_deliveries').select('event').where('status', '=', 'pending').execute();
        expect(pending).toEqual([]);
        // A clean stop leaves no owner behind, so the next start has nothing to recover.
        expect(await db.selectFrom('instances').selectAll().execute()).toEqual([]);
      } finally {
        await db.destroy();
      }
    } finally {
      await s.close().catch(() => undefined);
      await hook.close();
    }
  });
});
