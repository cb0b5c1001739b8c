import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AgentFactory } from '../../agent/types.js';
import type { CallManager } from '../../calls/manager.js';
import type { RecordingLinks } from '../../calls/recording-link.js';
import type { CallStore } from '../../calls/store.js';
import type { Config } from '../../config/schema.js';
import type { Db } from '../../db/open.js';
import type { Metrics } from '../../ops/metrics.js';
import { withHint, type ReadinessCheck } from '../../ops/readiness-hints.js';
import type { Telephony } from '../../telephony/types.js';
import { ApiError } from '../errors.js';
import { operation } from '../operation.js';
import { COMMON_ERRORS, ERRORS, json } from '../responses.js';
import { serveRecording } from './calls.js';

export interface OpsRoutesDeps { config: Config; db: Db; telephony: Telephony; agents: AgentFactory; metrics: Metrics; manager: CallManager; links: RecordingLinks; store: CallStore }

const tag = 'Operations';
const check = z.object({ ready: z.boolean(), detail: z.string(), hint: z.string().optional() }).loose();
const readiness = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), check).optional() }).meta({ id: 'Readiness' });
const readyExample = {
  status: 'not_ready',
  checks: {
    database: { ready: true, detail: 'ok' },
    telephony: { ready: true, detail: 'embedded SIP on 0.0.0.0:5060 (udp, tcp)' },
    'provider:llm:ollama:llama3.2:1b': {
      ready: false, detail: 'cannot reach Ollama at http://127.0.0.1:11434: fetch failed (ECONNREFUSED)',
      hint: 'start it (`ollama serve`; install from https://ollama.com/download), then `ollama pull llama3.2:1b`; or set providers.ollama.url',
    },
  },
};

/** `Authorization: Bearer <metrics.token>` when a token is configured. */
function hasToken(c: Context, token: string | null): boolean {
  if (!token) return true;
  const given = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Liveness, readiness and Prometheus metrics: on the API port, or on `metrics.port` when set. */
export function probeOperations({ config, db, telephony, agents, metrics, manager }: OpsRoutesDeps) {
  const token = config.metrics.token;
  const unauthorized = { ...COMMON_ERRORS[401], description: 'metrics.token is set and the request does not carry it' };
  const promText = { description: 'Prometheus text', contentType: 'text/plain; version=0.0.4' };
  return [
    operation({
      method: 'get', path: '/healthz', tag, public: true, summary: 'Liveness: the process answers',
      responses: { 200: json(z.object({ status: z.literal('ok') }), { status: 'ok' }) },
      handler: (c) => c.json({ status: 'ok' }),
    }),
    operation({
      method: 'get', path: '/readyz', tag, public: true, summary: 'Readiness: database, telephony engine, providers — each with what to do when not ready',
      description: 'When `metrics.token` is set, a request without it gets only the status (for probes); with it, every check.',
      responses: { 200: json(readiness, { status: 'ready', checks: { database: { ready: true, detail: 'ok' } } }), 503: json(readiness, readyExample, 'Something is not ready') },
      handler: async (c) => {
        const checks: Record<string, ReadinessCheck> = {};
        const add = (name: string, result: ReadinessCheck) => { checks[name] = withHint(name, result, config); };
        try {
          await sql`select 1`.execute(db);
          add('database', { ready: true, detail: 'ok' });
        } catch (err) {
          add('database', { ready: false, detail: (err as Error).message });
        }
        try {
          const h = telephony.health();
          add('telephony', { ready: h.ready, detail: h.detail });
          // Each registering trunk on its own line: an unregistered one cannot receive calls.
          for (const t of h.trunks.filter((x) => x.registered !== null)) {
            const detail = t.registered ? 'registered' : `not registered${t.lastError ? `: ${t.lastError}` : ''}${t.nextRetryAt ? `; next try ${t.nextRetryAt}` : ''}`;
            add(`trunk:${t.name}`, { ready: t.registered === true, detail, registered: t.registered, last_status: t.lastStatus, next_retry_at: t.nextRetryAt });
          }
        } catch (err) {
          add('telephony', { ready: false, detail: (err as Error).message });
        }
        let providers: Array<{ name: string; ready: boolean; detail: string }> = [];
        try {
          providers = agents.status();
        } catch (err) {
          providers = [{ name: 'agent', ready: false, detail: (err as Error).message }];
        }
        for (const p of providers) add(`provider:${p.name}`, { ready: p.ready, detail: p.detail });
        const ready = Object.values(checks).every((x) => x.ready);
        const status = ready ? 'ready' : 'not_ready';
        return c.json(hasToken(c, token) ? { status, checks } : { status }, ready ? 200 : 503);
      },
    }),
    operation({
      method: 'get', path: '/metrics', tag, public: true, summary: 'Prometheus metrics (text exposition format)',
      description: 'Needs `Authorization: Bearer <metrics.token>` when `metrics.token` is set (Prometheus: `authorization: {credentials: …}`).',
      responses: token ? { 200: promText, 401: unauthorized } : { 200: promText },
      handler: async (c) => {
        if (!hasToken(c, token)) throw new ApiError(401, 'authentication_error', 'invalid_metrics_token', 'Send the metrics token as "Authorization: Bearer <metrics.token>".');
        metrics.activeCalls.set(manager.activeCount());
        return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
      },
    }),
  ];
}

/** Signed, expiring recording links: no API key, the signature is the credential. */
export function recordingLinkOperation({ db, links }: OpsRoutesDeps) {
  return operation({
    method: 'get', path: '/v1/recordings/{id}', tag: 'Calls', public: true, summary: 'Recording through a signed, expiring link (the call’s `recording_url`)',
    query: z.object({ expires: z.string().max(20).optional(), signature: z.string().max(200).optional() }),
    responses: { 200: { description: 'The recording', contentType: 'audio/wav' }, 403: ERRORS[403], 404: ERRORS[404] },
    handler: async (c, { query: q }) => {
      const id = c.req.param('id')!;
      if (!links.verify(id, q.expires, q.signature)) {
        throw new ApiError(403, 'authentication_error', 'invalid_signature', 'This recording link is invalid or has expired.');
      }
      const row = await db.selectFrom('calls').select('recording_path').where('id', '=', id).executeTakeFirst();
      return serveRecording(row?.recording_path ?? null);
    },
  });
}
