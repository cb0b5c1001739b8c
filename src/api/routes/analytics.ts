import type { CallStore } from '../../calls/store.js';
import { latencySummary } from '../../calls/percentiles.js';
import type { Db } from '../../db/open.js';
import { ApiError } from '../errors.js';
import { operation } from '../operation.js';
import { json } from '../responses.js';
import { analyticsExample } from '../schemas/examples.js';
import { analyticsObject, analyticsQuery } from '../schemas/resources.js';

/** Aggregates over the account's calls created in [from, to). */
export function analyticsOperations({ db, store }: { db: Db; store: CallStore }) {
  return [operation({
    method: 'get', path: '/v1/analytics', tag: 'Analytics', summary: 'Counts, durations, cost, sentiment/intent and latency percentiles over [from, to)',
    query: analyticsQuery, responses: { 200: json(analyticsObject, analyticsExample) },
    handler: async (c, { query: q }) => {
    const from = q.from ? Date.parse(q.from) : 0;
    const to = q.to ? Date.parse(q.to) : Date.now() + 1;
    if (from >= to) throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', 'from must be before to.', 'from');
    let sel = db.selectFrom('calls').select(['id', 'status', 'end_reason', 'duration_seconds', 'cost', 'analysis'])
      .where('account_id', '=', c.get('accountId')).where('created_at', '>=', from).where('created_at', '<', to);
    if (q.assistant_id) sel = sel.where('assistant_id', '=', q.assistant_id);
    const calls = await sel.execute();

    const byStatus: Record<string, number> = {};
    const byEndReason: Record<string, number> = {};
    const sentiment: Record<string, number> = {};
    const intent: Record<string, number> = {};
    let totalDuration = 0;
    let connected = 0;
    let totalCost = 0;
    for (const call of calls) {
      byStatus[call.status] = (byStatus[call.status] ?? 0) + 1;
      if (call.end_reason) byEndReason[call.end_reason] = (byEndReason[call.end_reason] ?? 0) + 1;
      if (call.status === 'completed') {
        connected++;
        totalDuration += call.duration_seconds ?? 0;
      }
      totalCost += call.cost ?? 0;
      const a = call.analysis ? (JSON.parse(call.analysis) as { sentiment?: string | null; intent?: string | null }) : null;
      if (a?.sentiment) sentiment[a.sentiment] = (sentiment[a.sentiment] ?? 0) + 1;
      if (a?.intent) intent[a.intent] = (intent[a.intent] ?? 0) + 1;
    }
    const latency = await store.latency(calls.map((x) => x.id));
    return c.json({
      object: 'analytics',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      assistant_id: q.assistant_id ?? null,
      calls: calls.length,
      by_status: byStatus,
      by_end_reason: byEndReason,
      total_duration_seconds: totalDuration,
      average_duration_seconds: connected ? Math.round((totalDuration / connected) * 10) / 10 : 0,
      total_cost: Math.round(totalCost * 10_000) / 10_000,
      sentiment,
      intent,
      latency: latencySummary([...latency.values()].flat()),
    });
    },
  })];
}
