import { z } from 'zod';
import { assistantCreate, assistantObject, assistantPatch } from './schemas/assistant.js';
import { callCreate, callListQuery, callObject, dtmfBody, sayBody, transferBody, utteranceObject } from './schemas/call.js';
import { errorSchema, listOf, listQuery } from './schemas/common.js';
import { analyticsQuery, deliveryListQuery, deliveryObject, phoneNumberCreate, phoneNumberObject } from './schemas/resources.js';

interface RouteDoc {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  response?: z.ZodType;
  status?: number;
  /** Content type of the success response when not JSON. */
  produces?: string;
  public?: boolean;
}

const ok = z.object({ ok: z.literal(true) }).loose();
const deleted = z.object({ id: z.string(), object: z.string(), deleted: z.literal(true) });

/** Every route of the API: the OpenAPI document is generated from this list and the same zod schemas that validate requests. */
export const ROUTES: RouteDoc[] = [
  { method: 'post', path: '/v1/calls', summary: 'Launch an outbound call (honours Idempotency-Key; 429 + Retry-After at the concurrent-call limit)', tag: 'Calls', body: callCreate, response: callObject, status: 201 },
  { method: 'get', path: '/v1/calls', summary: 'List calls, newest first', tag: 'Calls', query: callListQuery, response: listOf(callObject) },
  { method: 'get', path: '/v1/calls/{id}', summary: 'Retrieve a call', tag: 'Calls', response: callObject },
  { method: 'get', path: '/v1/calls/{id}/transcript', summary: 'Transcript of a call', tag: 'Calls', response: z.object({ object: z.literal('transcript'), call_id: z.string(), utterances: z.array(utteranceObject) }) },
  { method: 'get', path: '/v1/calls/{id}/recording', summary: 'Stereo WAV recording (left caller, right assistant)', tag: 'Calls', produces: 'audio/wav' },
  { method: 'post', path: '/v1/calls/{id}/hangup', summary: 'Hang up an active call (409 when ended)', tag: 'Live control', response: ok },
  { method: 'post', path: '/v1/calls/{id}/say', summary: 'Make the assistant say something now', tag: 'Live control', body: sayBody, response: ok },
  { method: 'post', path: '/v1/calls/{id}/transfer', summary: 'Blind transfer (SIP REFER, else a bridged new leg)', tag: 'Live control', body: transferBody, response: ok },
  { method: 'post', path: '/v1/calls/{id}/dtmf', summary: 'Send DTMF digits', tag: 'Live control', body: dtmfBody, response: ok },
  { method: 'get', path: '/v1/recordings/{id}', summary: 'Signed, expiring recording link (no API key; query expires & signature)', tag: 'Calls', produces: 'audio/wav', public: true },
  { method: 'post', path: '/v1/assistants', summary: 'Create an assistant', tag: 'Assistants', body: assistantCreate, response: assistantObject, status: 201 },
  { method: 'get', path: '/v1/assistants', summary: 'List assistants', tag: 'Assistants', query: listQuery, response: listOf(assistantObject) },
  { method: 'get', path: '/v1/assistants/{id}', summary: 'Retrieve an assistant', tag: 'Assistants', response: assistantObject },
  { method: 'patch', path: '/v1/assistants/{id}', summary: 'Update an assistant (nested objects merged)', tag: 'Assistants', body: assistantPatch, response: assistantObject },
  { method: 'delete', path: '/v1/assistants/{id}', summary: 'Delete an assistant', tag: 'Assistants', response: deleted },
  { method: 'post', path: '/v1/phone-numbers', summary: 'Route an inbound number to an assistant', tag: 'Phone numbers', body: phoneNumberCreate, response: phoneNumberObject, status: 201 },
  { method: 'get', path: '/v1/phone-numbers', summary: 'List phone numbers', tag: 'Phone numbers', query: listQuery, response: listOf(phoneNumberObject) },
  { method: 'get', path: '/v1/phone-numbers/{id}', summary: 'Retrieve a phone number', tag: 'Phone numbers', response: phoneNumberObject },
  { method: 'delete', path: '/v1/phone-numbers/{id}', summary: 'Release a phone number', tag: 'Phone numbers', response: deleted },
  { method: 'get', path: '/v1/webhook-deliveries', summary: 'Webhook deliveries with every attempt', tag: 'Webhooks', query: deliveryListQuery, response: listOf(deliveryObject) },
  { method: 'get', path: '/v1/webhook-deliveries/{id}', summary: 'Retrieve a webhook delivery', tag: 'Webhooks', response: deliveryObject },
  { method: 'post', path: '/v1/webhook-deliveries/{id}/retry', summary: 'Send a delivery again', tag: 'Webhooks', response: deliveryObject, status: 202 },
  { method: 'get', path: '/v1/analytics', summary: 'Counts, durations, cost, sentiment/intent and latency percentiles', tag: 'Analytics', query: analyticsQuery },
  { method: 'get', path: '/healthz', summary: 'Liveness', tag: 'Operations', public: true },
  { method: 'get', path: '/readyz', summary: 'Readiness: database, telephony engine, providers', tag: 'Operations', public: true },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', tag: 'Operations', produces: 'text/plain', public: true },
];

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

export function openApiDocument(serverUrl: string) {
  const { components, toSchema: jsonSchema } = collector();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params: unknown[] = [];
    for (const m of r.path.matchAll(/\{(\w+)\}/g)) params.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (r.query) {
      const shape = jsonSchema(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(shape.properties ?? {})) params.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, schema });
    }
    if (r.path === '/v1/calls' && r.method === 'post') params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } });
    const success = String(r.status ?? 200);
    const responses: Record<string, unknown> = {
      [success]: r.produces
        ? { description: 'OK', content: { [r.produces]: {} } }
        : { description: 'OK', content: { 'application/json': { schema: r.response ? jsonSchema(r.response, 'output') : { type: 'object' } } } },
    };
    for (const [code, description] of [['400', 'Invalid request'], ['401', 'Missing or wrong API key'], ['404', 'Unknown id (or another account’s)'], ['409', 'Conflict'], ['413', 'Body too large'], ['429', 'Rate limited']] as const) {
      if (r.public && code !== '400') continue;
      responses[code] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.public ? { security: [] } : {}),
      parameters: params,
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  const errorJson = jsonSchema(errorSchema, 'output');
  return {
    openapi: '3.1.0',
    info: { title: 'PhoneVoice API', version: '1.0.0', description: 'Self-hosted voice-AI phone server. Webhooks are signed with PhoneVoice-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ...components, Error: errorJson },
    },
    paths,
  };
}
