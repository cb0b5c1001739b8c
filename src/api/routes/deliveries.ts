import type { Selectable } from 'kysely';
import type { Db } from '../../db/open.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable } from '../../db/schema.js';
import type { Dispatcher } from '../../webhooks/dispatcher.js';
import { notFound } from '../errors.js';
import { operation } from '../operation.js';
import { ERRORS, json } from '../responses.js';
import { listOf } from '../schemas/common.js';
import { deliveryExample } from '../schemas/examples.js';
import { deliveryListQuery, deliveryObject } from '../schemas/resources.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toObject(d: Selectable<WebhookDeliveriesTable>, attempts: Selectable<WebhookAttemptsTable>[]) {
  return {
    id: d.id, object: 'webhook_delivery', event_id: d.event_id, event: d.event, call_id: d.call_id, url: d.url, status: d.status,
    attempt_count: d.attempts, next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null, last_error: d.last_error,
    created_at: iso(d.created_at), delivered_at: iso(d.delivered_at),
    attempts: attempts.map((a) => ({ attempt: a.attempt, started_at: iso(a.started_at), duration_ms: Math.round(a.duration_ms * 10) / 10, status_code: a.status_code, error: a.error })),
  };
}

/** Every webhook delivery with each of its attempts, and a manual re-send. */
const tag = 'Webhooks';

export function deliveryOperations({ db, dispatcher }: { db: Db; dispatcher: Dispatcher }) {
  async function withAttempts(rows: Selectable<WebhookDeliveriesTable>[]) {
    const ids = rows.map((r) => r.id);
    const attempts = ids.length ? await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', ids).orderBy('attempt').execute() : [];
    return rows.map((r) => toObject(r, attempts.filter((a) => a.delivery_id === r.id)));
  }

  return [operation({
    method: 'get', path: '/v1/webhook-deliveries', tag, summary: 'Webhook deliveries with every attempt, newest first', query: deliveryListQuery,
    responses: { 200: json(listOf(deliveryObject), { object: 'list', data: [deliveryExample], has_more: false }), 404: ERRORS[404] },
    handler: async (c, { query: q }) => {
    let sel = db.selectFrom('webhook_deliveries').selectAll().where('account_id', '=', c.get('accountId'));
    if (q.call_id) sel = sel.where('call_id', '=', q.call_id);
    if (q.starting_after) {
      const cursor = await db.selectFrom('webhook_deliveries').select('seq').where('id', '=', q.starting_after).where('account_id', '=', c.get('accountId')).executeTakeFirst();
      if (!cursor) throw notFound('webhook delivery', q.starting_after, 'starting_after');
      sel = sel.where('seq', '<', cursor.seq);
    }
    const rows = await sel.orderBy('seq', 'desc').limit(q.limit + 1).execute();
    return c.json({ object: 'list', data: await withAttempts(rows.slice(0, q.limit)), has_more: rows.length > q.limit });
    },
  }), operation({
    method: 'get', path: '/v1/webhook-deliveries/{id}', tag, summary: 'Retrieve a webhook delivery',
    responses: { 200: json(deliveryObject, deliveryExample), 404: ERRORS[404] },
    handler: async (c) => {
    const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', c.req.param('id')!).where('account_id', '=', c.get('accountId')).executeTakeFirst();
    if (!row) throw notFound('webhook delivery', c.req.param('id')!);
    return c.json((await withAttempts([row]))[0]);
    },
  }), operation({
    method: 'post', path: '/v1/webhook-deliveries/{id}/retry', tag, summary: 'Send a delivery again now',
    responses: { 202: json(deliveryObject, { ...deliveryExample, status: 'pending' }, 'Queued for an immediate attempt'), 404: ERRORS[404] },
    handler: async (c) => {
    const id = c.req.param('id')!;
    const row = await db.selectFrom('webhook_deliveries').select('id').where('id', '=', id).where('account_id', '=', c.get('accountId')).executeTakeFirst();
    if (!row) throw notFound('webhook delivery', id);
    await dispatcher.retry(id);
    const fresh = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json((await withAttempts([fresh]))[0], 202);
    },
  })];
}
