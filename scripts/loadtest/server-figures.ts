import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient, ApiCall } from './api-client.js';
import { LIVE_STATUSES, type ServerFigures, type VoiceToVoicePercentiles } from './figures.js';
import { summarize } from './stats.js';
import type { WebhookReceiver } from './webhook-receiver.js';

const tally = (values: (string | null | undefined)[]) => {
  const out: Record<string, number> = {};
  for (const v of values) out[v ?? 'null'] = (out[v ?? 'null'] ?? 0) + 1;
  return out;
};

/** Webhook latency: the call's own event time (answered_at / ended_at, ms precision) → receipt. */
export function webhookLatencies(calls: ApiCall[], receiver: WebhookReceiver | null): number[] {
  if (!receiver) return [];
  const byId = new Map(calls.map((c) => [c.id, c]));
  const out: number[] = [];
  for (const w of receiver.received) {
    const call = byId.get(w.callId);
    const at = w.event === 'call.started' ? call?.answered_at : w.event === 'call.completed' ? call?.ended_at : null;
    if (at) out.push(w.receivedAtMs - Date.parse(at));
  }
  return out;
}

/**
 * After the load: the server's own account of it. Waits (bounded) for every call to end and
 * its call.completed webhook to arrive, then reads call objects, analytics and /metrics.
 */
export async function collectServerFigures(api: ApiClient, since: Date, receiver: WebhookReceiver | null, settleMs = 15_000): Promise<ServerFigures> {
  const deadline = performance.now() + settleMs;
  let calls: ApiCall[] = [];
  for (;;) {
    calls = await api.callsSince(since);
    const live = calls.filter((c) => LIVE_STATUSES.includes(c.status)).length;
    const completedHooks = receiver ? receiver.received.filter((w) => w.event === 'call.completed').length : calls.length;
    if ((live === 0 && completedHooks >= calls.length) || performance.now() > deadline) break;
    await sleep(500);
  }
  const analytics = await api
    .ok<{ latency?: { voice_to_voice?: VoiceToVoicePercentiles | null } }>('GET', `/v1/analytics?from=${encodeURIComponent(since.toISOString())}`)
    .catch(() => null);
  const metrics = await api.request<string>('GET', '/metrics').catch(() => null);
  const rtpMetrics = typeof metrics?.body === 'string'
    ? metrics.body.split('\n').filter((l) => !l.startsWith('#') && /jitter|rtp.*(lost|loss)/i.test(l)).slice(0, 40)
    : [];
  const lat = webhookLatencies(calls, receiver);
  return {
    callsByStatus: tally(calls.map((c) => c.status)),
    endReasons: tally(calls.map((c) => c.end_reason)),
    voiceToVoiceMs: analytics?.latency?.voice_to_voice ?? null,
    turns: calls.reduce((n, c) => n + (typeof c.latency?.turns === 'number' ? c.latency.turns : 0), 0),
    webhookLatencyMs: lat.length ? summarize(lat) : null,
    webhooksReceived: receiver?.received.length ?? 0,
    rtpMetrics,
    vadLagMs: typeof metrics?.body === 'string' ? histogramEdges(metrics.body, 'phonevoice_vad_lag_seconds') : null,
  };
}

/**
 * The upper bucket edges (ms) that hold p50 and p95 of an unlabelled Prometheus histogram in
 * seconds, and its count; null when the text has none of it or it is empty.
 */
export function histogramEdges(text: string, name: string): { p50: number; p95: number; windows: number } | null {
  const buckets: Array<{ le: number; count: number }> = [];
  const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`);
  for (const line of text.split('\n')) {
    const m = line.match(bucket);
    if (m) buckets.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) });
  }
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const edge = (q: number) => {
    const b = buckets.find((x) => x.count >= q * total)!;
    return Number.isFinite(b.le) ? Math.round(b.le * 1000) : Infinity;
  };
  return { p50: edge(0.5), p95: edge(0.95), windows: total };
}
