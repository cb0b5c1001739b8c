import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';
import { FakeAgentFactory } from '../support/fake-agent.js';

let t: TestServer;
let hook: Receiver;
let assistantId: string;
let failHook = true;

beforeAll(async () => {
  t = await startTestServer({ config: { limits: { max_concurrent_calls: 2 }, pricing: { per_minute: 0.06 } } });
  hook = await startReceiver({ respond: () => (failHook ? 500 : 200) });
  assistantId = (await t.createAssistant({ webhook_url: hook.url })).id;
});
afterAll(async () => {
  await t?.close();
  await hook?.close();
});

const endedCall = (id: string) => waitFor(async () => {
  const r = await t.api('GET', `/v1/calls/${id}`);
  return ['completed', 'busy', 'no_answer', 'failed', 'canceled'].includes(r.json.status) ? r.json : null;
}, `call ${id} to end`);

/** An answered call in which the caller says one thing, then hangs up; resolves when it has ended. */
async function callWithOneTurn(phoneNumber: string, userText: string): Promise<void> {
  const call = await t.api('POST', '/v1/calls', { phone_number: phoneNumber, assistant_id: assistantId });
  const agent = await waitFor(() => t.agents.agentFor(call.json.id), 'agent');
  agent.userSays(userText);
  await new Promise((r) => setTimeout(r, 50));
  t.telephony.legs.get(call.json.id)!.remoteHangup();
  await endedCall(call.json.id);
}

describe('operations', () => {
  it('/healthz, /readyz and /metrics need no key; readyz reports database, telephony and providers', async () => {
    expect((await t.api('GET', '/healthz', undefined, {}, null)).json).toEqual({ status: 'ok' });
    const ready = await t.api('GET', '/readyz', undefined, {}, null);
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toMatchObject({ database: { ready: true }, telephony: { ready: true }, 'provider:fake-agent': { ready: true } });
    const metrics = await t.api('GET', '/metrics', undefined, {}, null);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(/phonevoice_http_request_seconds_bucket\{[^}]*route="\/readyz"/);
  });

  it('answers 429 with Retry-After at the concurrent-call limit', async () => {
    const a = await t.api('POST', '/v1/calls', { phone_number: '+15550000999', assistant_id: assistantId });
    const b = await t.api('POST', '/v1/calls', { phone_number: '+15550001999', assistant_id: assistantId });
    expect([a.status, b.status]).toEqual([201, 201]);
    const c = await t.api('POST', '/v1/calls', { phone_number: '+15550002999', assistant_id: assistantId });
    expect(c.status).toBe(429);
    expect(c.json.error).toMatchObject({ type: 'rate_limited', code: 'concurrent_call_limit' });
    expect(Number(c.headers.get('retry-after'))).toBeGreaterThan(0);
    await t.api('POST', `/v1/calls/${a.json.id}/hangup`);
    await t.api('POST', `/v1/calls/${b.json.id}/hangup`);
    await endedCall(a.json.id);
    await endedCall(b.json.id);
    await waitFor(() => t.server.manager.activeCount() === 0, 'slots released');
    expect((await t.api('POST', '/v1/calls', { phone_number: '+15550000486', assistant_id: assistantId })).status).toBe(201);
  });

  it('lists webhook deliveries with each attempt, and retry sends a delivery again', async () => {
    const call = await t.api('POST', '/v1/calls', { phone_number: '+15550003486', assistant_id: assistantId });
    await endedCall(call.json.id);
    const failing = await waitFor(async () => {
      const r = await t.api('GET', `/v1/webhook-deliveries?call_id=${call.json.id}`);
      return r.json.data[0]?.attempts.length >= 1 ? r.json.data[0] : null;
    }, 'a failed attempt');
    expect(failing).toMatchObject({ object: 'webhook_delivery', event: 'call.completed', status: 'pending', url: hook.url });
    expect(failing.attempts[0]).toMatchObject({ attempt: 1, status_code: 500, error: 'HTTP 500' });
    failHook = false;
    await waitFor(() => hook.events().some((e) => e.call_id === call.json.id), 'delivered after the receiver recovered');
    const delivered = await waitFor(async () => {
      const d = (await t.api('GET', `/v1/webhook-deliveries/${failing.id}`)).json;
      return d.status === 'delivered' ? d : null;
    }, 'delivered status');
    const retried = await t.api('POST', `/v1/webhook-deliveries/${failing.id}/retry`);
    expect(retried.status).toBe(202);
    await waitFor(() => hook.events().filter((e) => e.call_id === call.json.id).length === 2, 'manual re-send');
    const [first, again] = hook.events().filter((e) => e.call_id === call.json.id);
    expect(again!.id).toBe(first!.id);
    // The delivery thread records the attempt just after the receiver has answered: wait for the row.
    const after = await waitFor(async () => {
      const d = (await t.api('GET', `/v1/webhook-deliveries/${failing.id}`)).json;
      return d.attempts.length > delivered.attempts.length ? d : null;
    }, 'the re-send recorded');
    expect(after.attempts.length).toBe(delivered.attempts.length + 1);
    expect(after.status).toBe('delivered');
    const metrics = await t.api('GET', '/metrics', undefined, {}, null);
    expect(metrics.text).toMatch(/phonevoice_webhook_attempts_total\{outcome="failed"\} [1-9]/);
    expect(metrics.text).toMatch(/phonevoice_calls_total\{status="busy"\} [1-9]/);
    expect(metrics.text).toMatch(/phonevoice_calls_total\{status="queued"\} [1-9]/);
  });

  it('analytics: counts, durations, cost, sentiment, intent and latency percentiles', async () => {
    await callWithOneTurn('+15550004444', 'Book an appointment please, great');
    const res = await t.api('GET', `/v1/analytics?from=${new Date(Date.now() - 60_000).toISOString()}&assistant_id=${assistantId}`);
    expect(res.status).toBe(200);
    expect(res.json.by_status.completed).toBeGreaterThanOrEqual(1);
    expect(res.json.by_status.busy).toBeGreaterThanOrEqual(1);
    expect(res.json.by_end_reason.customer_hangup).toBe(1);
    expect(res.json.sentiment.positive).toBe(1);
    expect(res.json.intent.book_appointment).toBe(1);
    expect(res.json.latency).toMatchObject({ turns: 1, voice_to_voice: { p50: 1000 }, stt: { p50: 120 }, llm_first_token: { p99: 300 }, tts_first_audio: { p90: 80 }, endpointing: { p50: 500 } });
    expect(typeof res.json.total_cost).toBe('number');
    const other = await t.api('GET', `/v1/analytics?assistant_id=asst_nobody`);
    expect(other.json.calls).toBe(0);
  });

  it('/metrics shows per-stage turn latency, RTP packets of ended calls and the engine state', async () => {
    await callWithOneTurn('+15550007777', 'Hello there');
    const text = (await t.api('GET', '/metrics', undefined, {}, null)).text;
    // The fake agent reports voice-to-voice 1000 ms and STT 120 ms for its turn.
    expect(text).toMatch(/phonevoice_turn_latency_seconds_bucket\{le="1",stage="voice_to_voice"\} [1-9]/);
    expect(text).toMatch(/phonevoice_turn_latency_seconds_bucket\{le="0.1",stage="stt"\} 0\b/);
    expect(text).toMatch(/phonevoice_turn_latency_seconds_count\{stage="stt"\} [1-9]/);
    expect(text).toMatch(/phonevoice_rtp_packets_total\{direction="sent"\} [1-9]/);
    expect(text).toMatch(new RegExp(`phonevoice_telephony_ready\\{engine="${t.telephony.kind}"\\} 1`));
  });

  it('publishes OpenAPI 3.1 from the request schemas and serves /docs with Swagger UI from node_modules', async () => {
    const doc = (await t.api('GET', '/v1/openapi.json', undefined, {}, null)).json;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/v1/calls'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CallCreate');
    expect(doc.components.schemas.CallCreate.required).toEqual(['phone_number', 'assistant_id']);
    expect(doc.components.schemas.AssistantCreate.properties.endpointing_ms.default).toBe(500);
    expect(create.parameters.map((p: any) => p.name)).toContain('Idempotency-Key');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => !(r in doc.components.schemas))).toEqual([]);
    for (const path of ['/v1/assistants/{id}', '/v1/phone-numbers', '/v1/webhook-deliveries/{id}/retry', '/v1/analytics', '/v1/calls/{id}/dtmf']) expect(doc.paths[path], path).toBeDefined();
    const html = await fetch(`${t.url}/docs`).then((r) => r.text());
    expect(html).toContain('docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN: the page works offline
    const bundle = await fetch(`${t.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(500_000);
  });
});

describe('graceful shutdown', () => {
  it('ends active calls with server_shutdown and writes their call.completed before closing', async () => {
    // Deliveries to a closed port stay pending in the outbox: what matters here is that they were written.
    const s = await startTestServer({ agents: new FakeAgentFactory(), config: { default_webhook_url: 'http://127.0.0.1:9/hook' } });
    const asst = await s.createAssistant();
    const call = await s.api('POST', '/v1/calls', { phone_number: '+15550005555', assistant_id: asst.id });
    await waitFor(async () => (await s.api('GET', `/v1/calls/${call.json.id}`)).json.status === 'in_progress', 'in_progress');
    const ringing = await s.api('POST', '/v1/calls', { phone_number: '+15550006999', assistant_id: asst.id });
    await waitFor(async () => (await s.api('GET', `/v1/calls/${ringing.json.id}`)).json.status === 'ringing', 'ringing');
    // Read through a second handle after close: the server's DB is closed by then.
    const { openDatabase } = await import('../../src/db/open.js');
    await s.server.close();
    const check = await openDatabase(s.dir);
    try {
      const after = await check.selectFrom('calls').select(['id', 'status', 'end_reason']).execute();
      expect(after.find((c) => c.id === call.json.id)).toMatchObject({ status: 'completed', end_reason: 'server_shutdown' });
      expect(after.find((c) => c.id === ringing.json.id)).toMatchObject({ status: 'canceled', end_reason: 'server_shutdown' });
      expect(s.telephony.stopped).toBe(true);
      const completed = await check.selectFrom('webhook_deliveries').select('call_id').where('event', '=', 'call.completed').execute();
      expect(completed.map((d) => d.call_id).sort()).toEqual([call.json.id, ringing.json.id].sort());
    } finally {
      await check.destroy();
    }
    await s.close().catch(() => {});
  });
});
