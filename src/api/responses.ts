import type { z } from 'zod';
import type { ResponseSpec } from './operation.js';
import { errorSchema } from './schemas/common.js';

const error = (description: string, type: string, code: string, message: string, param?: string): ResponseSpec => ({
  description, schema: errorSchema, example: { error: { type, code, message, ...(param ? { param } : {}) } },
});

/** The errors an operation may answer besides the 400/401/413 every keyed route can. */
export const ERRORS = {
  403: error('Invalid or expired signature', 'authentication_error', 'invalid_signature', 'This recording link is invalid or has expired.'),
  404: error('No such resource in this account', 'not_found', 'resource_not_found', 'No call with id call_8f14e45fceea167a5a36dedd.'),
  409: error('The resource is in a state that forbids this', 'conflict', 'call_ended', 'Call call_8f14e45fceea167a5a36dedd has ended (completed).'),
  429: error('At the concurrent-call limit; retry after Retry-After seconds', 'rate_limited', 'concurrent_call_limit', 'The server is at its limit of 100 concurrent calls.'),
  503: error('The server is shutting down or the engine is unavailable', 'api_error', 'unavailable', 'The server is shutting down.'),
} as const;

/** Added by the OpenAPI builder where they apply, so routes list only their own. */
export const COMMON_ERRORS = {
  400: error('Invalid request: `param` names the field or query parameter', 'invalid_request_error', 'parameter_invalid', 'phone_number: must be an E.164 number (+ and 8 to 15 digits) or a SIP URI (sip:user@host[:port])', 'phone_number'),
  401: error('Missing or wrong API key', 'authentication_error', 'invalid_api_key', 'The API key is not valid or has been revoked.'),
  413: error('Body larger than http.max_body_bytes', 'invalid_request_error', 'body_too_large', 'The request body exceeds 1048576 bytes.'),
} as const;

export const json = (schema: z.ZodType, example: unknown, description = 'OK'): ResponseSpec => ({ description, schema, example });
