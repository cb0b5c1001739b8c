import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assistantObject } from '../../src/api/schemas/assistant.js';
import { callCreate, callObject, transcriptObject } from '../../src/api/schemas/call.js';
import * as examples from '../../src/api/schemas/examples.js';
import { analyticsObject, deliveryObject, phoneNumberCreate, phoneNumberObject } from '../../src/api/schemas/resources.js';
import { startTestServer, type TestServer } from '../support/harness.js';

type Op = { parameters: Array<{ name: string; in: string }>; responses: Record<string, { content: Record<string, { example?: unknown }> }>; requestBody?: unknown };
let t: TestServer;
let doc: { paths: Record<string, Record<string, Op>> };
beforeAll(async () => {
  t = await startTestServer();
  doc = (await t.api('GET', '/v1/openapi.json', undefined, {}, null)).json;
});
afterAll(async () => t?.close());

describe('OpenAPI document generated from the routes', () => {
  it('lists exactly the routes the router serves (no second list to drift)', () => {
    const served = new Set(t.server.app.routes
      .filter((r) => r.method !== 'ALL' && /^\/(v1|healthz|readyz|metrics)/.test(r.path) && r.path !== '/v1/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...served].sort()).toEqual([...documented].sort());
    expect(documented.size).toBeGreaterThanOrEqual(26);
  });

  it('gives each route only the statuses it can answer, each with an example', () => {
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path]![method]!.responses);
    expect(statuses('post', '/v1/calls')).toEqual(['201', '400', '401', '404', '409', '413', '429', '503']);
    expect(statuses('get', '/v1/calls/{id}')).toEqual(['200', '400', '401', '404']);
    expect(statuses('delete', '/v1/assistants/{id}')).toEqual(['200', '400', '401', '404', '409']);
    expect(statuses('get', '/v1/analytics')).toEqual(['200', '400', '401']);
    expect(statuses('get', '/healthz')).toEqual(['200', '400']);
    expect(statuses('get', '/v1/recordings/{id}')).toEqual(['200', '400', '403', '404']);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, res] of Object.entries(op.responses)) {
          const media = Object.values(res.content)[0]!;
          if (!/audio|text\/plain/.test(Object.keys(res.content)[0]!)) expect(media.example, `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
  });

  it('has examples that the API schemas accept', () => {
    const pairs: Array<[z.ZodType, unknown]> = [
      [callCreate, examples.callCreateExample], [callObject, examples.callExample], [transcriptObject, examples.transcriptExample],
      [assistantObject, examples.assistantExample], [phoneNumberCreate, examples.phoneNumberCreateExample], [phoneNumberObject, examples.phoneNumberExample],
      [deliveryObject, examples.deliveryExample], [analyticsObject, examples.analyticsExample],
    ];
    for (const [schema, example] of pairs) expect(schema.safeParse(example).error).toBeUndefined();
  });

  it('documents the list filters and refuses unknown query parameters with 400 naming them', async () => {
    const names = doc.paths['/v1/calls']!.get!.parameters.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['phone_number', 'end_reason', 'assistant_id', 'status', 'direction', 'created_after', 'created_before']));
    for (const path of ['/v1/calls?phone_numbr=%2B15550001111', '/v1/assistants?foo=1', '/v1/calls/call_x?expand=all', '/v1/analytics?assistant=asst_1', '/healthz?x=1']) {
      const res = await t.api('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.json.error.type).toBe('invalid_request_error');
      expect(res.json.error.param).toBe(new URL(`http://x${path}`).searchParams.keys().next().value);
    }
  });
});

describe('call list filters', () => {
  it('filter by either party’s number, end reason, assistant and dates', async () => {
    const a = await t.createAssistant();
    const b = await t.createAssistant();
    const done = async (assistant: string, number: string) => {
      const call = (await t.api('POST', '/v1/calls', { phone_number: number, assistant_id: assistant })).json;
      for (let i = 0; i < 200 && (await t.api('GET', `/v1/calls/${call.id}`)).json.status === 'queued'; i++) await new Promise((r) => setTimeout(r, 10));
      return call.id as string;
    };
    const busy = await done(a.id, '+15550000486'); // the fake trunk answers 486 Busy for numbers ending in 486
    const other = await done(b.id, '+15550007777');
    const ids = async (qs: string) => (await t.api('GET', `/v1/calls?${qs}`)).json.data.map((c: { id: string }) => c.id);
    expect(await ids('phone_number=%2B15550000486')).toEqual([busy]);
    expect(await ids(`assistant_id=${b.id}`)).toEqual([other]);
    const busyCall = (await t.api('GET', `/v1/calls/${busy}`)).json;
    expect(await ids(`end_reason=${busyCall.end_reason}&assistant_id=${a.id}`)).toEqual([busy]);
    const created = Date.parse(busyCall.created_at);
    expect(await ids(`created_before=${new Date(created).toISOString()}&assistant_id=${a.id}`)).toEqual([]);
    expect(await ids(`created_after=${new Date(created - 1).toISOString()}&assistant_id=${a.id}`)).toEqual([busy]);
    expect((await t.api('GET', '/v1/calls?end_reason=bored')).status).toBe(400);
  });
});
