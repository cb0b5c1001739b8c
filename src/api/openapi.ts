import { z } from 'zod';
import type { AnyOperation, ResponseSpec } from './operation.js';
import { COMMON_ERRORS } from './responses.js';
import { errorSchema } from './schemas/common.js';

/** Named schemas (`.meta({id})`) land in components.schemas and are referenced from there. */
function collector() {
  const components: Record<string, unknown> = {};
  const toSchema = (s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
    const raw = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
    const { $schema: _s, $defs, ...rest } = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown>;
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) components[name] ??= def;
    return rest;
  };
  return { components, toSchema };
}

/**
 * Statuses every operation of its kind can answer, added here so routes list only their own:
 * 400 (unknown query parameter, invalid body), 401 (keyed routes), 413 (bodies).
 */
function commonResponses(op: AnyOperation): Record<number, ResponseSpec> {
  const common: Record<number, ResponseSpec> = { 400: COMMON_ERRORS[400] };
  if (!op.public) common[401] = COMMON_ERRORS[401];
  if (op.body) common[413] = COMMON_ERRORS[413];
  return common;
}

/** The OpenAPI 3.1 document of exactly the operations the router serves. */
export function openApiDocument(operations: AnyOperation[], serverUrl: string) {
  const { components, toSchema } = collector();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters: unknown[] = [];
    for (const m of op.path.matchAll(/\{(\w+)\}/g)) parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (op.query) {
      const shape = toSchema(op.query, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      for (const [name, schema] of Object.entries(shape.properties ?? {})) {
        const { description, ...rest } = schema;
        parameters.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest });
      }
    }
    for (const h of op.headers ?? []) parameters.push({ name: h.name, in: 'header', required: false, description: h.description, schema: h.schema });
    const responses: Record<string, unknown> = {};
    const all = { ...commonResponses(op), ...op.responses };
    for (const status of Object.keys(all).map(Number).sort((a, b) => a - b)) {
      const r = all[status]!;
      const type = r.contentType ?? 'application/json';
      const media: Record<string, unknown> = {};
      if (r.schema) media.schema = toSchema(r.schema, 'output');
      else if (type === 'audio/wav') media.schema = { type: 'string', format: 'binary' };
      else if (type.startsWith('text/')) media.schema = { type: 'string' };
      if (r.example !== undefined) media.example = r.example;
      responses[String(status)] = { description: r.description, content: { [type]: media } };
    }
    (paths[op.path] ??= {})[op.method] = {
      operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(op.public ? { security: [] } : {}),
      parameters,
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(op.body, 'input'), ...(op.bodyExample !== undefined ? { example: op.bodyExample } : {}) } } } } : {}),
      responses,
    };
  }
  const errorJson = toSchema(errorSchema, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'PhoneVoice API', version: '1.0.0',
      description: [
        'Self-hosted voice-AI phone server. Authenticate with `Authorization: Bearer <api key>`.',
        'Errors: `{"error": {"type", "code", "message", "param"?}}`. Lists: `{"object": "list", "data", "has_more"}` with `limit` and `starting_after`.',
        'Webhooks are signed: `PhoneVoice-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.',
      ].join('\n\n'),
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: ['Calls', 'Live control', 'Assistants', 'Phone numbers', 'Webhooks', 'Analytics', 'Operations'].map((name) => ({ name })),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ...components, Error: errorJson },
    },
    paths,
  };
}
