import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';

let t: TestServer;
let hook: Receiver;
let assistantId: string;

beforeAll(async () => {
  t = await startTestServer({ config: { trunks: [{ name: 'pbx', host: '127.0.0.1' }, { name: 'pbx2', host: '127.0.0.2' }, { name: 'carrier', host: '127.0.0.3' }] } });
  hook = await startReceiver();
  assistantId = (await t.createAssistant({ webhook_url: hook.url, first_message: 'Dental clinic, hello!' })).id;
});
afterAll(async () => {
  await t?.close();
  await hook?.close();
});

describe('phone numbers and inbound calls', () => {
  it('creates, lists, refuses duplicates and deletes numbers', async () => {
    const created = await t.api('POST', '/v1/phone-numbers', { number: '+33100000001', assistant_id: assistantId, trunk: 'pbx' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ object: 'phone_number', number: '+33100000001', assistant_id: assistantId, trunk: 'pbx' });
    expect(created.json.id).toMatch(/^pn_/);
    const dup = await t.api('POST', '/v1/phone-numbers', { number: '+33100000001', assistant_id: assistantId });
    expect(dup.status).toBe(409);
    const list = await t.api('GET', '/v1/phone-numbers');
    expect(list.json.data.map((n: any) => n.number)).toContain('+33100000001');
    expect((await t.api('DELETE', `/v1/phone-numbers/${created.json.id}`)).json.deleted).toBe(true);
    expect((await t.api('GET', `/v1/phone-numbers/${created.json.id}`)).status).toBe(404);
  });

  it('answers a call to a known number with its assistant, through to call.completed', async () => {
    await t.api('POST', '/v1/phone-numbers', { number: '+33100000002', assistant_id: assistantId });
    const { decision, leg } = await t.telephony.inbound({ to: '+33100000002', from: '+33600000009' });
    expect(decision.action).toBe('accept');
    const callId = (decision as { callId: string }).callId;
    expect(callId).toMatch(/^call_/);
    const agent = await waitFor(() => t.agents.agentFor(callId), 'agent');
    expect(agent.ctx).toMatchObject({ direction: 'inbound', phoneNumber: '+33600000009' });
    expect(agent.ctx.assistant.id).toBe(assistantId);
    agent.userSays('I want to book');
    leg!.remoteHangup();
    const call = await waitFor(async () => {
      const r = await t.api('GET', `/v1/calls/${callId}`);
      return r.json.status === 'completed' ? r.json : null;
    }, 'completed');
    expect(call).toMatchObject({ direction: 'inbound', phone_number: '+33600000009', from_number: '+33100000002', end_reason: 'customer_hangup' });
    await waitFor(() => hook.events().some((e) => e.call_id === callId && e.event === 'call.completed'), 'completed webhook');
    expect(hook.events().filter((e) => e.call_id === callId).map((e) => e.event)).toEqual(['call.started', 'call.transcription', 'call.transcription', 'call.completed']);
    const listed = await t.api('GET', '/v1/calls?direction=inbound');
    expect(listed.json.data.map((c: any) => c.id)).toEqual([callId]);
  });

  it('rejects an unknown number, or a number bound to another trunk, with SIP 404 and stores nothing', async () => {
    await t.api('POST', '/v1/phone-numbers', { number: '+33100000004', assistant_id: assistantId, trunk: 'pbx' });
    const before = (await t.api('GET', '/v1/calls')).json.data.length;
    const { decision } = await t.telephony.inbound({ to: '+33199999999' });
    expect(decision).toMatchObject({ action: 'reject', sipStatus: 404 });
    expect((await t.telephony.inbound({ to: '+33100000004', trunk: 'carrier' })).decision).toMatchObject({ action: 'reject', sipStatus: 404 });
    expect((await t.api('GET', '/v1/calls')).json.data.length).toBe(before);
  });

  it('a caller who hangs up before the answer leaves a canceled call with one call.completed', async () => {
    await t.api('POST', '/v1/phone-numbers', { number: '+33100000003', assistant_id: assistantId });
    const { decision } = await t.telephony.inbound({ to: '+33100000003' }, { abandon: true });
    const callId = (decision as { callId: string }).callId;
    const call = await waitFor(async () => {
      const r = await t.api('GET', `/v1/calls/${callId}`);
      return r.json.status === 'canceled' ? r.json : null;
    }, 'canceled');
    expect(call).toMatchObject({ end_reason: 'customer_hangup', sip_status: 487 });
    await waitFor(() => hook.events().some((e) => e.call_id === callId), 'webhook');
    expect(hook.events().filter((e) => e.call_id === callId).map((e) => e.event)).toEqual(['call.completed']);
  });

  it('binds extensions and catch-alls to a trunk: same extension on two PBXs, refused without a trunk', async () => {
    const ext = await t.api('POST', '/v1/phone-numbers', { number: '2050', assistant_id: assistantId, trunk: 'pbx' });
    expect(ext.status).toBe(201);
    expect(ext.json).toMatchObject({ number: '2050', kind: 'extension', trunk: 'pbx' });
    expect((await t.api('POST', '/v1/phone-numbers', { number: '2050', assistant_id: assistantId, trunk: 'pbx2' })).status).toBe(201);
    expect((await t.api('POST', '/v1/phone-numbers', { number: '2050', assistant_id: assistantId, trunk: 'pbx' })).status).toBe(409);
    const noTrunk = await t.api('POST', '/v1/phone-numbers', { number: '2050', assistant_id: assistantId });
    expect(noTrunk.status).toBe(400);
    expect(noTrunk.json.error).toMatchObject({ type: 'invalid_request_error', param: 'trunk' });
    const junk = await t.api('POST', '/v1/phone-numbers', { number: '20-50\r\n', assistant_id: assistantId, trunk: 'pbx' });
    expect(junk.status).toBe(400);
    expect(junk.json.error.param).toBe('number');
    const all = await t.api('POST', '/v1/phone-numbers', { number: '*', assistant_id: assistantId, trunk: 'carrier' });
    expect(all.json).toMatchObject({ number: '*', kind: 'catch_all', trunk: 'carrier' });
  });

  it('routes on the first dialled number that is bound on the trunk, then the trunk’s catch-all', async () => {
    // The PBX delivers to our extension with the DID in To: the extension binding answers.
    const viaPbx = await t.telephony.inbound({ to: '2050', trunk: 'pbx', called: [{ number: '2050', source: 'request_uri' }, { number: '+15550009999', source: 'to' }] });
    expect(viaPbx.decision.action).toBe('accept');
    viaPbx.leg!.remoteHangup();
    // An unbound number on a trunk with a catch-all reaches the catch-all's assistant…
    const carrier = await t.telephony.inbound({ to: '+15550001234', trunk: 'carrier', called: [{ number: '+15550001234', source: 'request_uri' }] });
    expect(carrier.decision.action).toBe('accept');
    carrier.leg!.remoteHangup();
    const callId = (carrier.decision as { callId: string }).callId;
    const call = await waitFor(async () => {
      const r = await t.api('GET', `/v1/calls/${callId}`);
      return r.json.status === 'completed' ? r.json : null;
    }, 'completed');
    expect(call.from_number).toBe('+15550001234');
    // …but a trunk without one still answers 404.
    expect((await t.telephony.inbound({ to: '+15550001234', trunk: 'pbx2', called: [{ number: '+15550001234', source: 'to' }] })).decision).toMatchObject({ action: 'reject', sipStatus: 404 });
  });
});
