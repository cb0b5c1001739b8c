import { z } from 'zod';
import { outboundPolicy } from '../../net/outbound-fetch.js';
import { E164 } from '../../telephony/numbers.js';

export { E164 };
export const SIP_URI = /^sips?:[^@\s]+@[A-Za-z0-9.\-[\]:]+(:\d{1,5})?(;[^\s]*)?$/;

export const e164 = z.string().regex(E164, 'must be an E.164 number: + and 8 to 15 digits').meta({ description: 'E.164 number: + and 8 to 15 digits', example: '+33612345678' });
export const phoneOrSip = z.string().refine((v) => E164.test(v) || SIP_URI.test(v), {
  message: 'must be an E.164 number (+ and 8 to 15 digits) or a SIP URI (sip:user@host[:port])',
}).meta({ description: 'E.164 number (dialled through the trunk the number plan picks) or a SIP URI `sip:user@host[:port]` (dialled directly)', example: '+33612345678' });
const urlWithScheme = (schemes: string[], message: string) => z.string().max(2048).superRefine((v, ctx) => {
  let scheme: string | null = null;
  try {
    scheme = new URL(v).protocol;
  } catch { /* reported below */ }
  if (!scheme || !schemes.includes(scheme)) return void ctx.addIssue({ code: 'custom', message });
  // The outbound URL policy (outbound_urls): refused here with the reason, and again at connect time.
  const decision = outboundPolicy().checkUrl(v);
  if (!decision.ok) ctx.addIssue({ code: 'custom', message: `is not a URL this server may call: ${decision.reason}` });
});
export const httpUrl = urlWithScheme(['http:', 'https:'], 'must be an http(s) URL').meta({ description: 'http(s) URL the server may call (outbound URL policy: no link-local/metadata; private and loopback only where allowed)', format: 'uri' });
/** An LLM's `url`: HTTP for OpenAI-style servers, and also WebSocket for a custom LLM (checked with the provider). */
export const llmUrl = urlWithScheme(['http:', 'https:', 'ws:', 'wss:'], 'must be an http(s) or ws(s) URL');
export const metadata = z.record(z.string(), z.unknown()).refine((m) => JSON.stringify(m).length <= 16_384, {
  message: 'must serialise to at most 16 KiB',
}).meta({ description: 'Your own data (at most 16 KiB of JSON), echoed on the call, in every webhook and in analytics', example: { crm_id: 'C-1042' } });
export const idOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9]+$`), `must be an id starting with ${prefix}_`);

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(100).optional(),
});

export const errorSchema = z.object({
  error: z.object({
    type: z.enum(['invalid_request_error', 'authentication_error', 'not_found', 'conflict', 'rate_limited', 'api_error']),
    code: z.string(),
    message: z.string(),
    param: z.string().optional(),
  }),
}).meta({ id: 'Error' });

export const listOf = <T extends z.ZodType>(item: T) => z.object({
  object: z.literal('list'),
  data: z.array(item),
  has_more: z.boolean(),
});

export const deletedObject = z.object({ id: z.string(), object: z.string(), deleted: z.literal(true) }).meta({ id: 'Deleted' });
