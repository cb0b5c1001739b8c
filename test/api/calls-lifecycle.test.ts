import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';

let t: TestServer;
let hook: Receiver;
let assistantId: string;

beforeAll(async () => {
  t = await startTestServer();
  hook = await startReceiver();
  assistantId = (await t.createAssistant({
    system_prompt: 'You call {{name}} about {{topic}}.', first_message: 'Hi {{name}}!',
  })).id;
});
afterAll(async () => {
  await t?.close();
  await hook?.close();
});

const eventsOf = (callId: string) => hook.events().filter((e) => e.call_id === callId);
const finalCall = (id: string) => waitFor(async () => {
  const r = await t.api('GET', `/v1/calls/${id}`);
  return ['completed', 'busy', 'no_answer', 'failed', 'canceled'].includes(r.json.status) ? r.json : null;
}, `call ${id} to end`);

describe('POST /v1/calls lifecycle', () => {
  it('accepts the seed example as is and answers 201 queued', async () => {
    const res = await t.api('POST', '/v1/calls', { phone_number: '+33612345678', assistant_id: assistantId, webhook_url: 'https://example.com/hook' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ object: 'call', status: 'queued', direction: 'outbound', phone_number: '+33612345678', assistant_id: assistantId, webhook_url: 'https://example.com/hook' });
    expect(res.json.id).toMatch(/^call_/);
    expect(t.telephony.dials.some((d) => d.callId === res.json.id && d.to === '+33612345678')).toBe(true);
  });

  it('runs a connected call to completed, with started, transcription and exactly one completed webhook', async () => {
    const res = await t.api('POST', '/v1/calls', {
      phone_number: '+15550001111', assistant_id: assistantId, webhook_url: hook.url,
      metadata: { crm_id: 42 }, variables: { name: 'Ana', topic: 'your appointment' },
    });
    const id = res.json.id as string;
    const agent = await waitFor(() => t.agents.agentFor(id), 'agent to start');
    expect(agent.ctx.assistant.system_prompt).toBe('You call Ana about your appointment.');
    expect(agent.ctx.assistant.first_message).toBe('Hi Ana!');
    expect(agent.ctx.metadata).toEqual({ crm_id: 42 });
    const leg = t.telephony.legs.get(id)!;
    expect(leg.media.played.length).toBeGreaterThan(0);
    await waitFor(async () => (await t.api('GET', `/v1/calls/${id}`)).json.status === 'in_progress', 'in_progress');
    agent.userSays('I would like to book an appointment, thank you');
    await waitFor(() => eventsOf(id).filter((e) => e.event === 'call.transcription').length === 2, 'two transcription events');
    leg.remoteHangup();
    const call = await finalCall(id);
    expect(call).toMatchObject({ status: 'completed', end_reason: 'customer_hangup', metadata: { crm_id: 42 } });
    expect(call.analysis).toMatchObject({ sentiment: 'positive', intent: 'book_appointment', summary: '2 utterances', success: true });
    expect(call.latency.turns).toBe(1);
    expect(call.latency.voice_to_voice).toEqual({ p50: 1000, p90: 1000, p95: 1000, p99: 1000 });
    expect(call.recording_url).toMatch(/\/v1\/recordings\/call_/);

    await waitFor(() => eventsOf(id).some((e) => e.event === 'call.completed'), 'call.completed');
    const events = eventsOf(id);
    expect(events.map((e) => e.event)).toEqual(['call.started', 'call.transcription', 'call.transcription', 'call.completed']);
    expect(events[0]!.data).toMatchObject({ direction: 'outbound', phone_number: '+15550001111', assistant_id: assistantId, metadata: { crm_id: 42 } });
    expect(events[1]!.data).toMatchObject({ role: 'assistant', text: 'Hi Ana!', interrupted: false });
    const completed = events[3]!.data as any;
    expect(completed).toMatchObject({ status: 'completed', end_reason: 'customer_hangup', metadata: { crm_id: 42 } });
    expect(completed.transcript).toHaveLength(2);
    expect(typeof completed.cost).toBe('number');
    expect(completed.recording_url).toMatch(/signature=/);

    const rec = await fetch(completed.recording_url);
    expect(rec.status).toBe(200);
    expect(rec.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await rec.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
    // Change the signature's first character to a different one (a fixed '0' left it unchanged one time in 16).
    const tampered = await fetch(completed.recording_url.replace(/signature=(.)/, (_: string, c: string) => `signature=${c === '0' ? '1' : '0'}`));
    expect(tampered.status).toBe(403);
    const keyed = await t.api('GET', `/v1/calls/${id}/recording`);
    expect(keyed.status).toBe(200);

    const transcript = await t.api('GET', `/v1/calls/${id}/transcript`);
    expect(transcript.json.utterances.map((u: any) => u.role)).toEqual(['assistant', 'user']);
    // Still exactly one completed event after things settle.
    await new Promise((r) => setTimeout(r, 100));
    expect(eventsOf(id).filter((e) => e.event === 'call.completed')).toHaveLength(1);
  });

  it.each([
    ['+15550000486', 'busy', 'busy', 486],
    ['+15550000408', 'no_answer', 'no_answer', 408],
    ['+15550000603', 'failed', 'declined', 603],
  ])('a call to %s ends %s (%s, SIP %i) with one call.completed', async (number, status, endReason, sip) => {
    const res = await t.api('POST', '/v1/calls', { phone_number: number, assistant_id: assistantId, webhook_url: hook.url });
    const call = await finalCall(res.json.id);
    expect(call).toMatchObject({ status, end_reason: endReason, sip_status: sip, duration_seconds: 0, cost: 0, answered_at: null });
    await waitFor(() => eventsOf(res.json.id).length === 1, 'completed webhook');
    expect(eventsOf(res.json.id)[0]).toMatchObject({ event: 'call.completed', data: { status, end_reason: endReason, sip_status: sip } });
  });

  it('live control: say, dtmf and hangup act on the leg; control of an ended call is 409', async () => {
    const res = await t.api('POST', '/v1/calls', { phone_number: '+15550002222', assistant_id: assistantId });
    const id = res.json.id;
    await waitFor(async () => (await t.api('GET', `/v1/calls/${id}`)).json.status === 'in_progress', 'in_progress');
    expect((await t.api('POST', `/v1/calls/${id}/say`, { text: 'One moment please', interrupt: true })).status).toBe(200);
    expect(t.agents.agentFor(id)!.said).toEqual([{ text: 'One moment please', interrupt: true }]);
    expect((await t.api('POST', `/v1/calls/${id}/dtmf`, { digits: '12#' })).status).toBe(200);
    expect(t.telephony.legs.get(id)!.media.dtmfSent).toEqual(['12#']);
    expect((await t.api('POST', `/v1/calls/${id}/hangup`)).status).toBe(200);
    const call = await finalCall(id);
    expect(call).toMatchObject({ status: 'completed', end_reason: 'api_hangup' });
    for (const [action, body] of [['hangup', undefined], ['say', { text: 'hi' }], ['transfer', { to: '+15550003333' }], ['dtmf', { digits: '1' }]] as const) {
      const r = await t.api('POST', `/v1/calls/${id}/${action}`, body);
      expect(r.status, action).toBe(409);
      expect(r.json.error).toMatchObject({ type: 'conflict', code: 'call_ended' });
    }
  });

  it('a declined transfer is 409 and the call goes on; an accepted one ends it with end_reason transferred', async () => {
    const res = await t.api('POST', '/v1/calls', { phone_number: '+15550004444', assistant_id: assistantId });
    const id = res.json.id;
    await waitFor(async () => (await t.api('GET', `/v1/calls/${id}`)).json.status === 'in_progress', 'in_progress');
    const refused = await t.api('POST', `/v1/calls/${id}/transfer`, { to: '+15550000486' });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ type: 'conflict', code: 'transfer_failed' });
    expect((await t.api('GET', `/v1/calls/${id}`)).json.status).toBe('in_progress');
    const r = await t.api('POST', `/v1/calls/${id}/transfer`, { to: 'sip:desk@192.0.2.1:5060' });
    expect(r.json).toEqual({ ok: true, method: 'refer' });
    expect(t.telephony.legs.get(id)!.transfers).toEqual(['sip:desk@192.0.2.1:5060']);
    expect(await finalCall(id)).toMatchObject({ status: 'completed', end_reason: 'transferred' });
  });

  it('hangup while ringing cancels the dial: canceled', async () => {
    const res = await t.api('POST', '/v1/calls', { phone_number: '+15550000999', assistant_id: assistantId });
    await waitFor(async () => (await t.api('GET', `/v1/calls/${res.json.id}`)).json.status === 'ringing', 'ringing');
    expect((await t.api('POST', `/v1/calls/${res.json.id}/hangup`)).status).toBe(200);
    expect(await finalCall(res.json.id)).toMatchObject({ status: 'canceled', end_reason: 'canceled', sip_status: 487 });
  });

  it('enforces max_duration_seconds', async () => {
    const res = await t.api('POST', '/v1/calls', { phone_number: '+15550005555', assistant_id: assistantId, max_duration_seconds: 1 });
    const call = await finalCall(res.json.id);
    expect(call).toMatchObject({ status: 'completed', end_reason: 'max_duration', duration_seconds: 1 });
    expect(call.cost).toBeCloseTo(0.05 / 60, 3);
  });

  it('assistant_overrides reach the agent merged over the stored assistant', async () => {
    const res = await t.api('POST', '/v1/calls', {
      phone_number: '+15550006666', assistant_id: assistantId, assistant_overrides: { llm: { temperature: 1.1 }, first_message_mode: 'wait_for_user' },
    });
    const agent = await waitFor(() => t.agents.agentFor(res.json.id), 'agent');
    expect(agent.ctx.assistant.llm).toMatchObject({ provider: 'ollama', model: 'llama3.2:1b', temperature: 1.1 });
    expect(agent.ctx.assistant.first_message_mode).toBe('wait_for_user');
    expect(agent.ctx.assistant.endpointing_ms).toBe(500);
    t.telephony.legs.get(res.json.id)!.remoteHangup();
    await finalCall(res.json.id);
  });

  it('Idempotency-Key returns the first call instead of dialling twice', async () => {
    const body = { phone_number: '+15550007777', assistant_id: assistantId };
    const headers = { 'Idempotency-Key': 'order-8812' };
    const [a, b] = await Promise.all([t.api('POST', '/v1/calls', body, headers), t.api('POST', '/v1/calls', body, headers)]);
    const c = await t.api('POST', '/v1/calls', body, headers);
    expect(a.status).toBe(201);
    expect(b.json.id).toBe(a.json.id);
    expect(c.json.id).toBe(a.json.id);
    expect(t.telephony.dials.filter((d) => d.callId === a.json.id)).toHaveLength(1);
    expect(t.telephony.dials.filter((d) => d.to === '+15550007777')).toHaveLength(1);
    const reused = await t.api('POST', '/v1/calls', { ...body, phone_number: '+15550007778' }, headers);
    expect(reused.status).toBe(409);
    expect(reused.json.error).toMatchObject({ type: 'conflict', code: 'idempotency_key_reused', param: 'Idempotency-Key' });
    expect(t.telephony.dials.filter((d) => d.to === '+15550007778')).toHaveLength(0);
    t.telephony.legs.get(a.json.id) ?? (await waitFor(() => t.telephony.legs.get(a.json.id), 'leg'));
    t.telephony.legs.get(a.json.id)!.remoteHangup();
    await finalCall(a.json.id);
  });

  it('lists calls newest first with filters and cursor pagination', async () => {
    const page1 = await t.api('GET', '/v1/calls?limit=2');
    expect(page1.json.object).toBe('list');
    expect(page1.json.data).toHaveLength(2);
    expect(page1.json.has_more).toBe(true);
    const page2 = await t.api('GET', `/v1/calls?limit=2&starting_after=${page1.json.data[1].id}`);
    expect(page2.json.data[0].id).not.toBe(page1.json.data[1].id);
    expect(Date.parse(page2.json.data[0].created_at)).toBeLessThanOrEqual(Date.parse(page1.json.data[1].created_at));
    const busy = await t.api('GET', '/v1/calls?status=busy');
    expect(busy.json.data.length).toBeGreaterThan(0);
    expect(busy.json.data.every((c: any) => c.status === 'busy')).toBe(true);
    const future = await t.api('GET', `/v1/calls?created_after=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.json.data).toEqual([]);
  });
});
