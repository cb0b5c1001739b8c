import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AgentFactory } from '../../agent/types.js';
import type { CallManager } from '../../calls/manager.js';
import type { CallStore } from '../../calls/store.js';
import type { RecordingLinks } from '../../calls/recording-link.js';
import type { Db } from '../../db/open.js';
import type { Metrics } from '../../ops/metrics.js';
import type { Telephony } from '../../telephony/types.js';
import { ApiError } from '../errors.js';
import { serveRecording } from './calls.js';

export interface OpsRoutesDeps { db: Db; telephony: Telephony; agents: AgentFactory; metrics: Metrics; manager: CallManager; links: RecordingLinks; store: CallStore }

/** Routes that need no API key: probes, metrics and signed recording links. */
export function opsRoutes({ db, telephony, agents, metrics, manager, links }: OpsRoutesDeps) {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const checks: Record<string, { ready: boolean; detail: string; [extra: string]: unknown }> = {};
    try {
      await sql`select 1`.execute(db);
      checks.database = { ready: true, detail: 'ok' };
    } catch (err) {
      checks.database = { ready: false, detail: (err as Error).message };
    }
    try {
      const h = telephony.health();
      checks.telephony = { ready: h.ready, detail: h.detail };
      // Each registering trunk on its own line: an unregistered one cannot receive calls.
      for (const t of h.trunks.filter((x) => x.registered !== null)) {
        const detail = t.registered ? 'registered' : `not registered${t.lastError ? `: ${t.lastError}` : ''}${t.nextRetryAt ? `; next try ${t.nextRetryAt}` : ''}`;
        checks[`trunk:${t.name}`] = { ready: t.registered === true, detail, registered: t.registered, last_status: t.lastStatus, next_retry_at: t.nextRetryAt };
      }
    } catch (err) {
      checks.telephony = { ready: false, detail: (err as Error).message };
    }
    let providers: Array<{ name: string; ready: boolean; detail: string }> = [];
    try {
      providers = agents.status();
    } catch (err) {
      providers = [{ name: 'agent', ready: false, detail: (err as Error).message }];
    }
    for (const p of providers) checks[`provider:${p.name}`] = { ready: p.ready, detail: p.detail };
    const ready = Object.values(checks).every((x) => x.ready);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    metrics.activeCalls.set(manager.activeCount());
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });

  app.get('/v1/recordings/:id', async (c) => {
    const id = c.req.param('id');
    if (!links.verify(id, c.req.query('expires'), c.req.query('signature'))) {
      throw new ApiError(403, 'authentication_error', 'invalid_signature', 'This recording link is invalid or has expired.');
    }
    const row = await db.selectFrom('calls').select('recording_path').where('id', '=', id).executeTakeFirst();
    return serveRecording(row?.recording_path ?? null);
  });

  return app;
}
