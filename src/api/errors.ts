import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { CallError } from '../calls/errors.js';

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found' | 'conflict' | 'rate_limited' | 'api_error';

/** An error answered as `{"error":{type,code,message,param?}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id: string, param?: string) => new ApiError(404, 'not_found', 'resource_not_found', `No ${what} with id ${id}.`, param);

export function errorResponse(c: Context, err: ApiError): Response {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  const body: { type: ErrorType; code: string; message: string; param?: string } = { type: err.type, code: err.code, message: err.message };
  if (err.param) body.param = err.param;
  return c.json({ error: body }, err.status);
}

/** The call layer's refusals in the API's words. */
export function fromCallError(err: CallError): ApiError {
  switch (err.kind) {
    case 'not_found': return new ApiError(404, 'not_found', err.code, err.message, err.param);
    case 'conflict': return new ApiError(409, 'conflict', err.code, err.message, err.param);
    case 'rate_limited': return new ApiError(429, 'rate_limited', err.code, err.message, err.param, { 'Retry-After': String(err.retryAfterS ?? 1) });
    case 'unavailable': return new ApiError(503, 'api_error', err.code, err.message, err.param, { 'Retry-After': '5' });
    default: return new ApiError(400, 'invalid_request_error', err.code, err.message, err.param);
  }
}

/** First zod issue as a 400 naming the field. */
export function fromZodError(error: z.ZodError, where: 'body' | 'query'): ApiError {
  const issue = error.issues[0]!;
  let param = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    param = [...issue.path.map(String), issue.keys[0]!].join('.');
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  } else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    message = 'is required';
  }
  const code = issue.code === 'invalid_type' && message === 'is required' ? 'parameter_missing' : 'parameter_invalid';
  const subject = param || (where === 'body' ? 'request body' : 'query');
  return new ApiError(400, 'invalid_request_error', code, `${subject}: ${message}`, param || undefined);
}

/** The client went away mid-request (Node's "aborted"/ECONNRESET while reading the body): not our error. */
export function isClientAbort(err: Error, req: Request): boolean {
  const code = (err as Error & { code?: string }).code;
  return req.signal.aborted || (err.message === 'aborted' && code === 'ECONNRESET') || err.name === 'AbortError';
}

export { CallError };
