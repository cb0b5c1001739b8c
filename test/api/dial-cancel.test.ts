/**
 * Hanging up a call that is still dialling, through the API and the real embedded SIP engine,
 * against SIPp trunks that ring, stay silent, or answer late: the call is `canceled` within a
 * second, its `max_concurrent_calls` slot is free at once, and the CANCEL goes out on the wire
 * as soon as the far end has sent something provisional (never before: RFC 3261 §9.1).
 */
import { describe, expect, it } from 'vitest';
import { freePort, type SippOptions } from '../sip/harness.js';
import { waitFor } from '../support/receiver.js';
import { sippTrunkServer } from './sipp-trunk-server.js';

const trunk = sippTrunkServer();
const setup = (sipp: Omit<SippOptions, 'localPort'>) => trunk.setup(sipp, { limits: { max_concurrent_calls: 1 } });

/** Hang up a dialling call; resolves with how long until the API shows it ended, and the call. */
async function hangUpWhileDialling(id: string) {
  const res = await trunk.live.t!.api('POST', `/v1/calls/${id}/hangup`);
  expect(res.status, res.text).toBe(200);
  const asked = performance.now();
  const call = await waitFor(async () => {
    const r = await trunk.live.t!.api('GET', `/v1/calls/${id}`);
    return r.json.status === 'canceled' ? r.json : null;
  }, `call ${id} canceled`, 5_000);
  return { ms: performance.now() - asked, call };
}

describe('hang-up while dialling (API → embedded engine → SIPp)', () => {
  it('a ringing destination: CANCEL goes out at once, the call is canceled within a second', async () => {
    const { run, asst } = await setup({ scenario: 'uas-ring.xml' });
    const created = await trunk.live.t!.api('POST', '/v1/calls', { phone_number: '+15551230001', assistant_id: asst.id });
    await waitFor(async () => (await trunk.live.t!.api('GET', `/v1/calls/${created.json.id}`)).json.status === 'ringing', 'ringing');
    const { ms, call } = await hangUpWhileDialling(created.json.id);
    expect(ms).toBeLessThan(1000);
    expect(call).toMatchObject({ status: 'canceled', end_reason: 'canceled', answered_at: null, recording_url: null });
    const sipp = await run.done; // received the CANCEL, answered 200 + 487, got the ACK
    expect(sipp.code, sipp.output + sipp.errors).toBe(0);
    await waitFor(() => trunk.live.hook!.events().some((e) => e.event === 'call.completed'), 'call.completed');
    expect(trunk.live.hook!.events().filter((e) => e.event === 'call.completed')).toHaveLength(1);
  });

  it('a destination that never answers the INVITE: canceled in well under Timer B (32 s) and the slot is free at once', async () => {
    const { run, asst } = await setup({ scenario: 'uas-silent.xml', template: { SILENT_MS: '4000' } });
    const created = await trunk.live.t!.api('POST', '/v1/calls', { phone_number: '+15551230002', assistant_id: asst.id });
    expect(created.status).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    // The limit is 1: while this call dials, another is refused…
    expect((await trunk.live.t!.api('POST', '/v1/calls', { phone_number: '+15551230003', assistant_id: asst.id })).status).toBe(429);
    const { ms, call } = await hangUpWhileDialling(created.json.id);
    expect(ms).toBeLessThan(2500); // 500 ms settle for a provisional, then the write; a loaded CI box needs the rest
    expect(call).toMatchObject({ status: 'canceled', end_reason: 'canceled', recording_url: null });
    // …and once it is canceled the slot is free (this one goes to an unused port and is canceled too).
    const next = await trunk.live.t!.api('POST', '/v1/calls', { phone_number: `sip:nobody@127.0.0.1:${await freePort()}`, assistant_id: asst.id });
    expect(next.status, next.text).toBe(201);
    await hangUpWhileDialling(next.json.id);
    const sipp = await run.done; // SIPp fails the scenario on any CANCEL: none was sent without a provisional
    expect(sipp.code, sipp.output + sipp.errors).toBe(0);
  });

  it('a destination that answers late: the CANCEL goes out as soon as its 180 arrives, after the call already ended canceled', async () => {
    const { run, asst } = await setup({ scenario: 'uas-ring-late.xml', template: { DELAY_MS: '1500' } });
    const created = await trunk.live.t!.api('POST', '/v1/calls', { phone_number: '+15551230004', assistant_id: asst.id });
    await new Promise((r) => setTimeout(r, 200));
    const { ms } = await hangUpWhileDialling(created.json.id);
    expect(ms).toBeLessThan(1250); // ended before the 180 (due 1.5 s after the dial; 200 ms went before the hang-up)
    const sipp = await run.done; // 180 at 1.5 s → CANCEL → 200 + 487 → ACK
    expect(sipp.code, sipp.output + sipp.errors).toBe(0);
    const call = (await trunk.live.t!.api('GET', `/v1/calls/${created.json.id}`)).json;
    expect(call).toMatchObject({ status: 'canceled', end_reason: 'canceled' });
  });
});
