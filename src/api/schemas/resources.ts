import { z } from 'zod';
import { numberKind } from '../../telephony/numbers.js';
import { latencyObject } from './call.js';
import { idOf, listQuery } from './common.js';

const NUMBER_RULE = 'must be an E.164 number (+ and 8 to 15 digits), an extension (1 to 15 digits) or "*" (catch-all)';

/** E.164 numbers may name a trunk (then only calls through it match); extensions and catch-alls must. */
export const phoneNumberCreate = z.strictObject({
  number: z.string().max(16).refine((v) => numberKind(v) !== null, { message: NUMBER_RULE }),
  assistant_id: idOf('asst'),
  trunk: z.string().min(1).max(100).nullable().optional(),
}).superRefine((v, ctx) => {
  const kind = numberKind(v.number);
  if (kind && kind !== 'e164' && !v.trunk) {
    ctx.addIssue({ code: 'custom', path: ['trunk'], message: `a${kind === 'extension' ? 'n extension' : ' catch-all'} is scoped to a trunk: name the trunk` });
  }
}).meta({ id: 'PhoneNumberCreate' });

export const phoneNumberObject = z.object({
  id: z.string(), object: z.literal('phone_number'), number: z.string(), kind: z.enum(['e164', 'extension', 'catch_all']),
  assistant_id: z.string(), trunk: z.string().nullable(), created_at: z.string(),
}).meta({ id: 'PhoneNumber' });

export const deliveryListQuery = listQuery.extend({ call_id: z.string().min(1).max(100).optional() });

export const deliveryObject = z.object({
  id: z.string(), object: z.literal('webhook_delivery'), event_id: z.string(), event: z.string(), call_id: z.string(), url: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']), attempt_count: z.number(), next_attempt_at: z.string().nullable(),
  last_error: z.string().nullable(), created_at: z.string(), delivered_at: z.string().nullable(),
  attempts: z.array(z.object({ attempt: z.number(), started_at: z.string(), duration_ms: z.number(), status_code: z.number().nullable(), error: z.string().nullable() })),
}).meta({ id: 'WebhookDelivery' });

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'must be an ISO-8601 date' });
export const analyticsQuery = z.object({ from: isoDate.optional(), to: isoDate.optional(), assistant_id: z.string().max(100).optional() });

const counts = z.record(z.string(), z.number());
export const analyticsObject = z.object({
  object: z.literal('analytics'), from: z.string(), to: z.string(), assistant_id: z.string().nullable(), calls: z.number(),
  by_status: counts, by_end_reason: counts, total_duration_seconds: z.number(), average_duration_seconds: z.number(), total_cost: z.number(),
  sentiment: counts, intent: counts, latency: latencyObject,
}).meta({ id: 'Analytics' });
