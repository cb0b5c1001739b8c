import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../db/open.js';
import { requireApiKey, type AuthEnv } from './auth.js';
import { jsonBody, query } from './validate.js';

/** One documented answer of an operation. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  example?: unknown;
  /** When the answer is not JSON (a WAV file, Prometheus text). */
  contentType?: string;
  headers?: Record<string, string>;
}

const noQuery = z.strictObject({});
type NoQuery = typeof noQuery;

/**
 * One API operation: the route, its inputs and every answer it can give, with the handler.
 * The Hono router and the OpenAPI document are both built from these, so the reference
 * cannot drift from what the server does.
 */
export interface Operation<Q extends z.ZodObject = NoQuery, B extends z.ZodType = z.ZodNever> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style: `/v1/calls/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** No API key (probes, signed links). */
  public?: boolean;
  /** Query parameters; any other parameter is a 400. */
  query?: Q;
  body?: B;
  /** Checked against `body` by test/api/openapi.test.ts. */
  bodyExample?: unknown;
  headers?: Array<{ name: string; description: string; schema: Record<string, unknown> }>;
  responses: Record<number, ResponseSpec>;
  handler: (c: Context<AuthEnv>, input: { query: z.output<Q>; body: z.output<B> }) => Response | Promise<Response>;
}

/** Declares an operation with its input types inferred from its schemas. */
export const operation = <Q extends z.ZodObject = NoQuery, B extends z.ZodType = z.ZodNever>(op: Operation<Q, B>) => op as unknown as AnyOperation;
export type AnyOperation = Operation<z.ZodObject, z.ZodType>;

/** Register every operation on the router: API key (unless public), strict query, JSON body, handler. */
export function mountOperations(app: Hono<AuthEnv>, operations: AnyOperation[], db: Db): void {
  const auth = requireApiKey(db);
  for (const op of operations) {
    const path = op.path.replace(/\{(\w+)\}/g, ':$1');
    const run = async (c: Context<AuthEnv>) => {
      const q = query(c, op.query ?? noQuery);
      const body = op.body ? await jsonBody(c, op.body) : undefined;
      return op.handler(c, { query: q, body });
    };
    if (op.public) app.on(op.method.toUpperCase(), path, run);
    else app.on(op.method.toUpperCase(), path, auth, run);
  }
}
