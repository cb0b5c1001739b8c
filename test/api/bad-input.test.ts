import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let t: TestServer;
let assistantId: string;
let callId: string;
let otherKey: string;

beforeAll(async () => {
  t = await startTestServer({ config: { http: { host: '127.0.0.1', port: 0, max_body_bytes: 4096 } } });
  assistantId = (await t.createAssistant()).id;
  callId = (await t.api('POST', '/v1/calls', { phone_number: '+15550000486', assistant_id: assistantId })).json.id;
  otherKey = await t.otherAccountKey();
});
afterAll(async () => t?.close());

async function counts() {
  const n = async (table: 'calls' | 'assistants' | 'phone_numbers' | 'idempotency_keys') =>
    Number((await t.server.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { calls: await n('calls'), assistants: await n('assistants'), phone_numbers: await n('phone_numbers'), idem: await n('idempotency_keys') };
}

function expectError(res: { status: number; json: any }, status: number, type: string, param?: string) {
  expect(res.status).toBe(status);
  expect(res.json?.error?.type).toBe(type);
  expect(typeof res.json.error.code).toBe('string');
  expect(res.json.error.message.length).toBeGreaterThan(5);
  if (param !== undefined) expect(res.json.error.param).toBe(param);
}

const BODY_ROUTES: Array<[string, string]> = [
  ['POST', '/v1/calls'], ['POST', '/v1/assistants'], ['PATCH', '/v1/assistants/{asst}'], ['POST', '/v1/phone-numbers'],
  ['POST', '/v1/calls/{call}/say'], ['POST', '/v1/calls/{call}/transfer'], ['POST', '/v1/calls/{call}/dtmf'],
];
const route = (r: string) => r.replace('{asst}', assistantId).replace('{call}', callId);

describe('bad input never crashes and never half-writes', () => {
  it('authentication: missing, malformed and wrong keys are 401 on every keyed route', async () => {
    for (const [method, path] of [...BODY_ROUTES, ['GET', '/v1/calls'], ['GET', '/v1/analytics'], ['GET', '/v1/webhook-deliveries']] as const) {
      const body = method === 'GET' ? undefined : {};
      expectError(await t.api(method, route(path), body, {}, null), 401, 'authentication_error');
      expectError(await t.api(method, route(path), body, {}, 'pv_wrong_key_123456789'), 401, 'authentication_error');
      expectError(await t.api(method, route(path), body, { Authorization: 'Basic abc' }, null), 401, 'authentication_error');
    }
  });

  it('bad JSON is 400 invalid_json and a non-object body is 400 on every body route', async () => {
    const before = await counts();
    for (const [method, path] of BODY_ROUTES) {
      const bad = await t.api(method, route(path), '{"phone_number": "+1555', {});
      expectError(bad, 400, 'invalid_request_error');
      expect(bad.json.error.code).toBe('invalid_json');
      expectError(await t.api(method, route(path), '[1,2]'), 400, 'invalid_request_error');
      expectError(await t.api(method, route(path), '"text"'), 400, 'invalid_request_error');
    }
    expect(await counts()).toEqual(before);
  });

  it('oversized bodies are 413 on every body route', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(10_000) });
    for (const [method, path] of BODY_ROUTES) expectError(await t.api(method, route(path), huge), 413, 'invalid_request_error');
  });

  it('JSON nested hundreds of levels deep inside valid bodies is 400 naming the field on every body route', async () => {
    const before = await counts();
    const nest = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const cases: Array<[string, string, string, string]> = [
      ['POST', '/v1/calls', `{"phone_number":"+15550001234","assistant_id":"${assistantId}","metadata":${nest(600)}}`, 'metadata'],
      ['POST', '/v1/calls', `{"phone_number":"+15550001234","assistant_id":"${assistantId}","assistant_overrides":{"metadata":${nest(600)}}}`, 'assistant_overrides'],
      ['POST', '/v1/assistants', `{"name":"deep","metadata":${nest(600)}}`, 'metadata'],
      ['POST', '/v1/assistants', `{"name":"deep","tools":[{"type":"http","name":"t","url":"https://x.example","parameters":${nest(600)}}]}`, 'tools'],
      ['POST', '/v1/assistants', `{"name":"deep","analysis":{"schema":${nest(600)}}}`, 'analysis'],
      ['PATCH', route('/v1/assistants/{asst}'), `{"metadata":${nest(600)}}`, 'metadata'],
      ['POST', '/v1/phone-numbers', `{"number":"+15550002222","assistant_id":"${assistantId}","trunk":${nest(600)}}`, 'trunk'],
      ['POST', route('/v1/calls/{call}/say'), `{"text":${nest(600)}}`, 'text'],
      ['POST', route('/v1/calls/{call}/transfer'), `{"to":${nest(600)}}`, 'to'],
      ['POST', route('/v1/calls/{call}/dtmf'), `{"digits":${nest(600)}}`, 'digits'],
    ];
    for (const [method, path, body, param] of cases) {
      const res = await t.api(method, path, body);
      expectError(res, 400, 'invalid_request_error', param);
      expect(res.json.error.code).toBe('json_too_deep');
    }
    expectError(await t.api('POST', '/v1/assistants', '['.repeat(2000) + ']'.repeat(2000)), 400, 'invalid_request_error');
    expect(await counts()).toEqual(before);
    // Real nesting (20 levels of metadata) is still accepted.
    const ok = await t.api('POST', '/v1/assistants', `{"name":"nested","metadata":${nest(20)}}`);
    expect(ok.status).toBe(201);
    await t.server.db.deleteFrom('assistants').where('id', '=', ok.json.id).execute();
  });

  it('POST /v1/calls: missing fields, wrong types, bad numbers and URLs name the field', async () => {
    const before = await counts();
    const cases: Array<[unknown, string]> = [
      [{ assistant_id: assistantId }, 'phone_number'],
      [{ phone_number: '+33612345678' }, 'assistant_id'],
      [{ phone_number: 33612345678, assistant_id: assistantId }, 'phone_number'],
      [{ phone_number: '0612345678', assistant_id: assistantId }, 'phone_number'],
      [{ phone_number: '+0612345678', assistant_id: assistantId }, 'phone_number'],
      [{ phone_number: '+1234567', assistant_id: assistantId }, 'phone_number'],
      [{ phone_number: '+1234567890123456', assistant_id: assistantId }, 'phone_number'],
      [{ phone_number: 'sip:nohost', assistant_id: assistantId }, 'phone_number'],
      [{ phone_number: '+33612345678', assistant_id: 42 }, 'assistant_id'],
      [{ phone_number: '+33612345678', assistant_id: 'nope' }, 'assistant_id'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, webhook_url: 'ftp://example.com/hook' }, 'webhook_url'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, webhook_url: 'javascript:alert(1)' }, 'webhook_url'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, webhook_url: 'not a url' }, 'webhook_url'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, metadata: 'x' }, 'metadata'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, metadata: [1] }, 'metadata'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, variables: { a: 1 } }, 'variables.a'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, max_duration_seconds: -1 }, 'max_duration_seconds'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, max_duration_seconds: 'long' }, 'max_duration_seconds'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, from_number: 'me' }, 'from_number'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, assistant_overrides: { llm: { temperature: 5 } } }, 'assistant_overrides.llm.temperature'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, assistant_overrides: { bogus: 1 } }, 'assistant_overrides.bogus'],
      [{ phone_number: '+33612345678', assistant_id: assistantId, surprise: true }, 'surprise'],
    ];
    for (const [body, param] of cases) expectError(await t.api('POST', '/v1/calls', body), 400, 'invalid_request_error', param);
    expectError(await t.api('POST', '/v1/calls', { phone_number: '+33612345678', assistant_id: 'asst_doesnotexist' }), 404, 'not_found', 'assistant_id');
    expectError(await t.api('POST', '/v1/calls', { phone_number: '+33612345678', assistant_id: assistantId }, { 'Idempotency-Key': 'é'.repeat(3) }), 400, 'invalid_request_error', 'Idempotency-Key');
    expect(await counts()).toEqual(before);
  });

  it('assistants, phone numbers and live control validate their bodies', async () => {
    const before = await counts();
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/v1/assistants', {}, 'name'],
      ['POST', '/v1/assistants', { name: '' }, 'name'],
      ['POST', '/v1/assistants', { name: 'a', endpointing_ms: 'fast' }, 'endpointing_ms'],
      ['POST', '/v1/assistants', { name: 'a', first_message_mode: 'sometimes' }, 'first_message_mode'],
      ['POST', '/v1/assistants', { name: 'a', llm: { provider: 'gpt' } }, 'llm.provider'],
      ['POST', '/v1/assistants', { name: 'a', llm: { provider: 'custom' } }, 'llm.url'],
      ['POST', '/v1/assistants', { name: 'a', webhook_url: 'file:///etc/passwd' }, 'webhook_url'],
      ['POST', '/v1/assistants', { name: 'a', tools: [{ type: 'http', name: 'x', url: 'gopher://x' }] }, 'tools.0.url'],
      ['POST', '/v1/assistants', { name: 'a', tools: [{ type: 'teleport' }] }, 'tools.0.type'],
      ['POST', '/v1/assistants', { name: 'a', interruption: { min_speech_ms: -5 } }, 'interruption.min_speech_ms'],
      ['PATCH', `/v1/assistants/${assistantId}`, { silence_timeout_seconds: 0 }, 'silence_timeout_seconds'],
      ['PATCH', `/v1/assistants/${assistantId}`, { llm: { provider: 'custom' } }, 'llm.url'],
      ['POST', '/v1/phone-numbers', { assistant_id: assistantId }, 'number'],
      ['POST', '/v1/phone-numbers', { number: '555-1234', assistant_id: assistantId }, 'number'],
      ['POST', '/v1/phone-numbers', { number: '+15551234567', assistant_id: assistantId, trunk: 'nowhere' }, 'trunk'],
      ['POST', `/v1/calls/${callId}/say`, {}, 'text'],
      ['POST', `/v1/calls/${callId}/say`, { text: 'hi', interrupt: 'yes' }, 'interrupt'],
      ['POST', `/v1/calls/${callId}/transfer`, { to: 'my desk' }, 'to'],
      ['POST', `/v1/calls/${callId}/dtmf`, { digits: '12x' }, 'digits'],
      ['GET', '/v1/calls?limit=0', undefined, 'limit'],
      ['GET', '/v1/calls?limit=101', undefined, 'limit'],
      ['GET', '/v1/calls?status=ringing_loudly', undefined, 'status'],
      ['GET', '/v1/calls?created_after=yesterday', undefined, 'created_after'],
      ['GET', '/v1/analytics?from=soon', undefined, 'from'],
    ];
    for (const [method, path, body, param] of cases) expectError(await t.api(method, path, body), 400, 'invalid_request_error', param);
    const stored = await t.api('GET', `/v1/assistants/${assistantId}`);
    expect(stored.json.silence_timeout_seconds).toBe(30);
    expect(stored.json.llm.provider).toBe('ollama');
    expect(await counts()).toEqual(before);
  });

  it('unknown ids are 404 on every id route, and so are another account’s resources', async () => {
    const num = await t.api('POST', '/v1/phone-numbers', { number: '+15557654321', assistant_id: assistantId });
    const delivery = (await t.server.db.selectFrom('webhook_deliveries').select('id').executeTakeFirst())?.id ?? 'whd_none';
    const idRoutes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/calls/{call}'], ['GET', '/v1/calls/{call}/transcript'], ['GET', '/v1/calls/{call}/recording'],
      ['POST', '/v1/calls/{call}/hangup'], ['POST', '/v1/calls/{call}/say', { text: 'hi' }], ['POST', '/v1/calls/{call}/transfer', { to: '+15550001111' }],
      ['POST', '/v1/calls/{call}/dtmf', { digits: '1' }], ['GET', '/v1/assistants/{asst}'], ['PATCH', '/v1/assistants/{asst}', { name: 'x' }],
      ['DELETE', '/v1/assistants/{asst}'], ['GET', '/v1/phone-numbers/{pn}'], ['DELETE', '/v1/phone-numbers/{pn}'],
      ['POST', '/v1/webhook-deliveries/{whd}/retry'], ['GET', '/v1/calls?starting_after={call}'],
    ];
    const fill = (p: string, ids: Record<string, string>) => p.replace(/\{(\w+)\}/, (_, k: string) => ids[k]!);
    const mine = { call: callId, asst: assistantId, pn: num.json.id as string, whd: delivery };
    const unknown = { call: 'call_000000', asst: 'asst_000000', pn: 'pn_000000', whd: 'whd_000000' };
    for (const [method, path, body] of idRoutes) {
      expectError(await t.api(method, fill(path, unknown), body), 404, 'not_found');
      expectError(await t.api(method, fill(path, mine), body, {}, otherKey), 404, 'not_found');
    }
    expectError(await t.api('POST', '/v1/calls', { phone_number: '+33612345678', assistant_id: assistantId }, {}, otherKey), 404, 'not_found', 'assistant_id');
    expect((await t.api('GET', `/v1/assistants/${assistantId}`)).status).toBe(200);
    expect((await t.api('GET', '/v1/calls', undefined, {}, otherKey)).json.data).toEqual([]);
    expectError(await t.api('GET', '/v1/nothing-here'), 404, 'not_found');
  });
});
