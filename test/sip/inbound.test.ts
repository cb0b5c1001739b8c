import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import type { CallLeg, LegEnd } from '../../src/telephony/types.js';
import { freePort, runSipp, startEngine, TestInboundHandler, waitFor, type SippOptions } from './harness.js';

const NUMBER = '+15550001';

describe('embedded SIP engine: inbound calls from SIPp', () => {
  let engine: EmbeddedTelephony;
  let handler: TestInboundHandler;

  beforeEach(async () => {
    engine = await startEngine();
    handler = new TestInboundHandler(NUMBER);
    engine.setInboundHandler(handler);
  });
  afterEach(async () => { await engine.stop(); });

  async function call(o: Omit<SippOptions, 'localPort' | 'remote'>) {
    return runSipp({ service: NUMBER, remote: `127.0.0.1:${engine.sipPort}`, localPort: await freePort(), ...o });
  }

  /** The answered leg, or SIPp's output as the failure when it exits first. */
  async function answered(sipp: Awaited<ReturnType<typeof call>>): Promise<CallLeg> {
    return Promise.race([
      handler.nextAnswered(),
      sipp.done.then((r) => { throw new Error(`SIPp exited ${r.code} before the answer:\n${r.output}\n${r.errors}`); }),
    ]);
  }

  /** The leg's end, or SIPp's output as the failure when SIPp exits and the leg never ends. */
  async function ended(leg: CallLeg, sipp: Awaited<ReturnType<typeof call>>): Promise<LegEnd> {
    return Promise.race([
      leg.ended,
      sipp.done.then(async (r) => {
        await new Promise((res) => setTimeout(res, 1000));
        return Promise.race([leg.ended, Promise.reject(new Error(`leg still up after SIPp exited ${r.code}:\n${r.output}\n${r.errors}`))]);
      }),
    ]);
  }

  it('answers with the caller’s preferred codec, receives its A-law audio, and ends on the caller’s BYE', async () => {
    const sipp = await call({ scenario: 'uac-call.xml', keys: { codecs: '8 0 101' }, template: { AUDIO_MS: '1500' } });
    const leg = await answered(sipp);
    const end = await ended(leg, sipp);
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(end).toEqual<LegEnd>({ endReason: 'customer_hangup', sipStatus: null });
    expect(leg.stats().codec).toBe('PCMA');
    expect(leg.stats().packetsReceived).toBeGreaterThan(20);
    // A caller without a number is shown as its SIP URI (both engines).
    expect(handler.routed[0]).toMatchObject({ to: NUMBER, from: expect.stringMatching(/^sip:alice@127\.0\.0\.1/), trunk: 'local' });
  });

  it('answers over TCP too', async () => {
    const sipp = await call({ scenario: 'uac-call.xml', transport: 't1', keys: { codecs: '0 101' }, template: { AUDIO_MS: '200' } });
    const leg = await answered(sipp);
    expect((await ended(leg, sipp)).endReason).toBe('customer_hangup');
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(leg.stats().codec).toBe('PCMU');
  });

  it('hangs up from our side with BYE', async () => {
    const sipp = await call({ scenario: 'uac-wait-bye.xml', keys: { codecs: '0 8 101' } });
    const leg = await answered(sipp);
    await leg.hangup('assistant_hangup');
    expect(await ended(leg, sipp)).toEqual<LegEnd>({ endReason: 'assistant_hangup', sipStatus: null });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('answers CANCEL while ringing with 200 + 487 and reports the call abandoned', async () => {
    engine.setInboundHandler(handler = new TestInboundHandler(NUMBER, { routeDelayMs: 1500 }));
    const sipp = await call({ scenario: 'uac-cancel.xml' });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    await new Promise((r) => setTimeout(r, 1600));
    expect(handler.answered).toHaveLength(0);
    expect(handler.abandoned).toEqual([{ callId: 'call-1', endReason: 'customer_hangup', sipStatus: 487 }]);
  });

  it('handles hold (sendonly, inactive), unhold and offerless refresh re-INVITEs, SIP INFO DTMF and in-dialog OPTIONS', async () => {
    const sipp = await call({ scenario: 'uac-reinvite.xml', keys: { codecs: '0 101' } });
    const leg = await answered(sipp);
    const held: boolean[] = [];
    const media = leg.media as unknown as { setHold(on: boolean): void };
    const original = media.setHold.bind(media);
    media.setHold = (on) => { held.push(on); original(on); };
    const digits: string[] = [];
    leg.media.onDtmf((d) => digits.push(d));
    const end = await ended(leg, sipp);
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(end.endReason).toBe('customer_hangup');
    // The refresh's answer (in the ACK) is sendrecv: media stays off hold.
    expect(held).toEqual([true, false, true, false, false]);
    expect(digits).toEqual(['5']);
  });

  it('sends DTMF as SIP INFO when the caller did not offer telephone-event', async () => {
    const sipp = await call({ scenario: 'uac-info-dtmf.xml', keys: { codecs: '0' } });
    const leg = await answered(sipp);
    await leg.media.sendDtmf('7');
    await leg.hangup('assistant_hangup');
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('accepts a delayed offer: offers in the 200 and takes the answer from the ACK', async () => {
    const sipp = await call({ scenario: 'uac-late-offer.xml', template: { AUDIO_MS: '1000' } });
    const leg = await answered(sipp);
    expect((await ended(leg, sipp)).endReason).toBe('customer_hangup');
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(leg.stats().codec).toBe('PCMA');
    expect(leg.stats().packetsReceived).toBeGreaterThan(10);
  });

  it('hangs up every call with server_shutdown on stop() and reports health', async () => {
    const sipp = await call({ scenario: 'uac-wait-bye.xml', keys: { codecs: '0' } });
    const leg = await answered(sipp);
    expect(engine.health()).toMatchObject({ ready: true, activeCalls: 1 });
    await engine.stop();
    expect(await ended(leg, sipp)).toEqual<LegEnd>({ endReason: 'server_shutdown', sipStatus: null });
    expect(engine.health()).toMatchObject({ ready: false, activeCalls: 0 });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('refuses calls still ringing at stop() with 503 and reports them abandoned', async () => {
    engine.setInboundHandler(handler = new TestInboundHandler(NUMBER, { routeDelayMs: 800 }));
    const sipp = await call({ scenario: 'uac-expect.xml', keys: { codecs: '0' }, template: { STATUS: '503' } });
    await waitFor(() => handler.routed.length === 1);
    await engine.stop();
    // route() is still deciding (800 ms); when it accepts, the call is reported abandoned.
    await waitFor(() => handler.abandoned.length > 0);
    expect(handler.abandoned).toEqual([{ callId: 'call-1', endReason: 'server_shutdown', sipStatus: 503 }]);
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it.each([
    { what: 'an unknown number', service: '+15559999', codecs: '0', status: '404' },
    { what: 'no common codec', service: NUMBER, codecs: '18', status: '488' },
  ])('refuses $what with $status', async ({ service, codecs, status }) => {
    const sipp = await call({ scenario: 'uac-expect.xml', service, keys: { codecs }, template: { STATUS: status } });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(handler.answered).toHaveLength(0);
  });
});
