import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DialError } from '../../src/telephony/types.js';
import { digestValid } from './digest-check.js';
import type { FakeEndpoint } from './fake-media-server.js';
import { header, type SipText } from './sip-text.js';
import { CALLER_SDP, PBX_ADDRESS, TRUNK_HOST, startHarness, until, type Harness } from './harness.js';

const CALLEE_SDP = CALLER_SDP.replace(/10\.20\.30\.40/g, TRUNK_HOST);
const NONCE = 'a1b2c3d4e5';

describe('drachtio engine: outbound calls through the trunk', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => { await h.close(); });

  /** A carrier that challenges every INVITE with 407 and checks the digest of the retry. */
  function carrierAnswers(final: number, opts: { ringMs?: number } = {}): SipText[] {
    const invites: SipText[] = [];
    h.server.onNetworkRequest('INVITE', (req) => {
      invites.push(req.msg);
      const auth = header(req.msg, 'Proxy-Authorization');
      if (!auth) {
        req.respond(407, { headers: { 'Proxy-Authenticate': `Digest realm="carrier.example", nonce="${NONCE}", qop="auth", algorithm=MD5` } });
        return;
      }
      if (!digestValid(auth, 'INVITE', 'trunk-pass', { username: 'acct', realm: 'carrier.example', nonce: NONCE })) {
        req.respond(403);
        return;
      }
      req.respond(100);
      req.respond(180);
      if (final === 0) return; // rings forever
      setTimeout(() => req.respond(final, final === 200 ? { headers: { 'Content-Type': 'application/sdp' }, body: CALLEE_SDP } : {}), opts.ringMs ?? 20);
    });
    return invites;
  }

  it('dials an E.164 number through the carrier, answers its 407 with digest auth, and connects media', async () => {
    const invites = carrierAnswers(200);
    let rang = 0;
    const leg = await h.engine.dial({ callId: 'call-out-1', to: '+33612345678', ringTimeoutMs: 5000, recordingPath: null }, { onRinging: () => rang++ });

    expect(invites).toHaveLength(2);
    expect(invites[0]!.uri).toBe(`sip:+33612345678@${TRUNK_HOST}`);
    expect(header(invites[0]!, 'From')).toContain('<sip:+33100000000@carrier.example>');
    expect(header(invites[0]!, 'P-Asserted-Identity')).toBe('<sip:+33100000000@carrier.example>');
    expect(header(invites[1]!, 'Call-ID')).toBe(header(invites[0]!, 'Call-ID'));
    expect(rang).toBe(1);
    expect(leg.callId).toBe('call-out-1');

    // The callee's answer went to FreeSWITCH, our ACK went out, the fork is up.
    const endpoint = h.media.endpoints[0] as FakeEndpoint;
    expect(endpoint.remoteSdp).toBe(CALLEE_SDP);
    expect(h.server.appRequests.some((r) => r.method === 'ACK')).toBe(true);
    expect(endpoint.fork?.options.metadata).toMatchObject({ callId: 'call-out-1' });

    // The callee hangs up.
    const dialogId = h.server.dialogIdOf(header(invites[1]!, 'Call-ID')!)!;
    expect(await h.server.sendInDialog(dialogId, 'BYE', TRUNK_HOST)).toBe(200);
    expect(await leg.ended).toEqual({ endReason: 'customer_hangup', sipStatus: null });
    expect(endpoint.destroyed).toBe(true);
  });

  it.each([
    [486, 'busy'], [600, 'busy'], [603, 'declined'], [404, 'invalid_number'], [484, 'invalid_number'], [503, 'trunk_error'], [403, 'trunk_error'],
  ])('maps a final %i to %s, releasing the FreeSWITCH endpoint', async (status, reason) => {
    carrierAnswers(status);
    const err = await h.engine.dial({ callId: 'c', to: '+33612345678', ringTimeoutMs: 5000, recordingPath: null }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialError);
    expect(err).toMatchObject({ endReason: reason, sipStatus: status });
    expect((h.media.endpoints[0] as FakeEndpoint).destroyed).toBe(true);
  });

  it('CANCELs at the ring timeout and reports no_answer', async () => {
    carrierAnswers(0);
    const err = await h.engine.dial({ callId: 'c', to: '+33612345678', ringTimeoutMs: 150, recordingPath: null }, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ endReason: 'no_answer', sipStatus: 487 });
    expect(h.server.appRequests.filter((r) => r.method === 'CANCEL')).toHaveLength(1);
  });

  it('CANCELs when the caller of dial() aborts and reports canceled', async () => {
    carrierAnswers(0);
    const ac = new AbortController();
    const dialing = h.engine.dial({ callId: 'c', to: '+33612345678', ringTimeoutMs: 5000, recordingPath: null }, { onRinging: () => ac.abort() }, ac.signal);
    await expect(dialing).rejects.toMatchObject({ endReason: 'canceled' });
    expect(h.server.appRequests.some((r) => r.method === 'CANCEL')).toBe(true);
  });

  it('stop() CANCELs calls still ringing and hangs up answered ones, with end reason server_shutdown', async () => {
    const inbound = h.server.sendInvite({ to: '+33123456789', from: '+336', source: PBX_ADDRESS, sdp: CALLER_SDP });
    const answered = await h.inbound.nextAnswered();
    await inbound.answered;
    carrierAnswers(0);
    let rang = false;
    const ringing = h.engine.dial({ callId: 'c1', to: '+33612345678', ringTimeoutMs: 5000, recordingPath: null }, { onRinging: () => { rang = true; } })
      .catch((e: unknown) => e);
    await until(() => rang, 5000, 'ringing');
    await h.engine.stop();
    expect(await ringing).toMatchObject({ endReason: 'server_shutdown' });
    expect(h.server.appRequests.some((r) => r.method === 'CANCEL')).toBe(true);
    expect(await answered.ended).toEqual({ endReason: 'server_shutdown', sipStatus: null });
    expect(h.server.appRequests.filter((r) => r.method === 'BYE').map((r) => header(r, 'Call-ID'))).toEqual([inbound.callId]);
  });

  it('refuses numbers no trunk routes without sending anything', async () => {
    await expect(h.engine.dial({ callId: 'c', to: '+4912345', ringTimeoutMs: 1000, recordingPath: null }, {})).rejects.toMatchObject({ endReason: 'invalid_number', sipStatus: null });
    await expect(h.engine.dial({ callId: 'c', to: 'not a number', ringTimeoutMs: 1000, recordingPath: null }, {})).rejects.toBeInstanceOf(DialError);
    expect(h.server.appRequests).toHaveLength(0);
  });

  it('transfers with REFER and ends the leg once the NOTIFY reports 200', async () => {
    const invites = carrierAnswers(200);
    const leg = await h.engine.dial({ callId: 'call-x', to: '+33612345678', ringTimeoutMs: 5000, recordingPath: null }, {});
    const dialogId = h.server.dialogIdOf(header(invites[1]!, 'Call-ID')!)!;
    h.server.onNetworkRequest('REFER', (req) => {
      req.respond(202);
      setTimeout(() => void h.server.sendInDialog(dialogId, 'NOTIFY', TRUNK_HOST, undefined, {
        headers: { Event: 'refer', 'Subscription-State': 'terminated;reason=noresource', 'Content-Type': 'message/sipfrag' },
        body: 'SIP/2.0 200 OK\r\n',
      }), 10);
    });
    expect(await leg.transfer('sip:+33698765432@192.0.2.10')).toEqual({ method: 'refer' });
    const refer = h.server.appRequests.find((r) => r.method === 'REFER')!;
    expect(header(refer, 'Refer-To')).toBe('<sip:+33698765432@192.0.2.10>');
    expect(await leg.ended).toEqual({ endReason: 'transferred', sipStatus: null });
  });

  it('falls back to a bridged leg when the far end refuses REFER', async () => {
    const invites = carrierAnswers(200);
    const leg = await h.engine.dial({ callId: 'call-y', to: '+33612345678', ringTimeoutMs: 5000, recordingPath: null }, {});
    h.server.onNetworkRequest('REFER', (req) => req.respond(603));
    expect(await leg.transfer('+33698765432')).toEqual({ method: 'bridge' });
    const refer = h.server.appRequests.find((r) => r.method === 'REFER')!;
    expect(header(refer, 'Refer-To')).toBe(`<sip:+33698765432@${TRUNK_HOST}>`);
    expect(invites.map((i) => i.uri)).toContain(`sip:+33698765432@${TRUNK_HOST}`);
    const [caller, transferee] = h.media.endpoints as FakeEndpoint[];
    expect(caller!.bridgedWith).toBe(transferee);
    expect(caller!.forkStopped).toBe(true);
    await leg.hangup('api_hangup');
    expect(transferee!.destroyed).toBe(true);
  });
});
