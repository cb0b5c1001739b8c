import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError, fromZodError } from './errors.js';
import { findTooDeep, MAX_JSON_DEPTH } from './json-depth.js';

/** Parse and validate a JSON body; bad JSON and schema violations become 400s naming the field. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let raw: unknown;
  if (text.trim() === '') raw = {};
  else {
    const tooDeep = findTooDeep(text);
    if (tooDeep) {
      throw new ApiError(400, 'invalid_request_error', 'json_too_deep',
        `${tooDeep.field || 'The request body'} nests deeper than ${MAX_JSON_DEPTH} levels.`, tooDeep.field || undefined);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ApiError(400, 'invalid_request_error', 'invalid_json', `The request body is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ApiError(400, 'invalid_request_error', 'invalid_json', 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw fromZodError(result.error, 'body');
  return result.data;
}

/** Query parameters; one the route does not know is a 400 (a misspelt filter must not return everything). */
export function query<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const strict = schema instanceof z.ZodObject ? schema.strict() : schema;
  const result = strict.safeParse(c.req.query());
  if (!result.success) throw fromZodError(result.error, 'query');
  return result.data as z.infer<T>;
}
