/**
 * POST /v1/calls through the real embedded SIP engine to a SIPp trunk on loopback: the API,
 * lifecycle and webhooks against real SIP signalling (the agent stays a double here; the full
 * voice loop is covered by test/e2e).
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { sippTrunkServer } from './sipp-trunk-server.js';

const trunk = sippTrunkServer();
const setup = trunk.setup;

const ended = (id: string) => waitFor(async () => {
  const r = await trunk.live.t!.api('GET', `/v1/calls/${id}`);
  return ['completed', 'busy', 'no_answer', 'failed', 'canceled'].includes(r.json.status) ? r.json : null;
}, `call ${id} to end`, 15_000);

describe('POST /v1/calls over real SIP (embedded engine ↔ SIPp)', () => {
  it('a call the trunk answers and then hangs up ends completed / customer_hangup', async () => {
    const { run, asst } = await setup({ scenario: 'uas-answer-bye.xml', keys: { codecs: '0' } });
    const res = await trunk.live.t!.api('POST', '/v1/calls', { phone_number: '+15551234567', assistant_id: asst.id });
    expect(res.status).toBe(201);
    const call = await ended(res.json.id);
    expect(call).toMatchObject({ status: 'completed', end_reason: 'customer_hangup' });
    expect(call.answered_at).not.toBeNull();
    const sipp = await run.done;
    expect(sipp.code, sipp.output + sipp.errors).toBe(0);
    await waitFor(() => trunk.live.hook!.events().some((e) => e.event === 'call.completed'), 'call.completed');
    expect(trunk.live.hook!.events().map((e) => e.event)[0]).toBe('call.started');
  });

  it('a busy trunk (486) ends the call busy with sip_status 486', async () => {
    const { run, asst } = await setup({ scenario: 'uas-final.xml', template: { STATUS: '486' } });
    const res = await trunk.live.t!.api('POST', '/v1/calls', { phone_number: '+15551234568', assistant_id: asst.id });
    const call = await ended(res.json.id);
    expect(call).toMatchObject({ status: 'busy', end_reason: 'busy', sip_status: 486 });
    await run.done;
    await waitFor(() => trunk.live.hook!.events().length === 1, 'call.completed');
    expect(trunk.live.hook!.events()[0]).toMatchObject({ event: 'call.completed', data: { status: 'busy', sip_status: 486 } });
  });

  it.each([
    { scenario: 'uas-ring.xml', template: {} as Record<string, string>, status: 'no_answer', end_reason: 'no_answer', sip_status: 487, what: 'rang out' },
    { scenario: 'uas-silent.xml', template: { SILENT_MS: '3000' }, status: 'failed', end_reason: 'no_response', sip_status: null, what: 'never answered the INVITE' },
  ])('a destination that $what ends $status / $end_reason, with no recording_url', async ({ scenario, template, status, end_reason, sip_status }) => {
    const { run, asst, t } = await setup({ scenario, template }, { telephony: { ring_timeout_seconds: 1 }, recording: { enabled: true } });
    const res = await t.api('POST', '/v1/calls', { phone_number: '+15551230009', assistant_id: asst.id });
    const call = await ended(res.json.id);
    expect(call).toMatchObject({ status, end_reason, sip_status, recording_url: null, answered_at: null });
    expect((await t.api('GET', `/v1/calls/${res.json.id}/recording`)).status).toBe(404); // no 44-byte empty WAV
    const sipp = await run.done;
    expect(sipp.code, sipp.output + sipp.errors).toBe(0);
  });
});
