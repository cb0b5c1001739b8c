import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { createResponse, serialize, type SipRequest } from '../../src/telephony/embedded/message.js';
import { parseMessage } from '../../src/telephony/embedded/parser.js';
import { startEngine, testConfig, TestInboundHandler, waitFor } from './harness.js';
import { inDialog, invite, RawSipClient, sdpWith, sleep } from './raw-client.js';

const NUMBER = '+15550011';
/** Seconds-scale timers for tests (the RFC's floor of 90 s is for production). */
const TIMERS = { sessionExpiresS: 2, minSeS: 2 };

describe('RFC 4028 session timers: a dialog nobody refreshes is ended', () => {
  let engine: EmbeddedTelephony | null = null;
  let client: RawSipClient | null = null;
  afterEach(async () => { await client?.close(); client = null; await engine?.stop(); engine = null; });

  const requests = (c: RawSipClient, method: string) => c.received.filter((m): m is SipRequest => m.kind === 'request' && m.method === method);
  const answer = (c: RawSipClient, req: SipRequest, status: number, headers: Record<string, string> = {}) => c.send(serialize(createResponse(req, status, { headers })), true);

  async function call(headers: string[]) {
    engine = await startEngine(testConfig(), { timers: { t1: 20 }, sessionTimers: TIMERS });
    const handler = new TestInboundHandler(NUMBER);
    engine.setInboundHandler(handler);
    client = await RawSipClient.open('udp', engine.sipPort);
    const base = { port: client.port, serverPort: engine.sipPort, callId: 'st', to: NUMBER };
    client.send(invite({ ...base, branch: 'z9hG4bKst1', headers }));
    await waitFor(() => client!.statuses.some((s) => s.status >= 200));
    const ok = client.responses()[client.responses().length - 1]!;
    if (ok.status === 200) client.send(inDialog({ ...base, method: 'ACK', cseq: 1, branch: 'z9hG4bKstack', to: ok.headers.get('to')! }));
    return { ok, handler, base };
  }

  it('the caller refreshes (refresher=uac): its UPDATE keeps the call, its silence ends it with BYE', async () => {
    const { ok, handler, base } = await call(['Supported: timer', 'Session-Expires: 3;refresher=uac']);
    expect(ok.headers.get('session-expires')).toBe('3;refresher=uac');
    expect(ok.headers.get('require')).toBe('timer');
    const leg = handler.answered[0]!;
    await sleep(1000);
    client!.send(inDialog({ ...base, method: 'UPDATE', cseq: 2, branch: 'z9hG4bKstupd', to: ok.headers.get('to')! }).replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nSupported: timer\r\nSession-Expires: 3;refresher=uac'));
    await waitFor(() => client!.responses().some((r) => r.headers.get('cseq') === '2 UPDATE'));
    const refreshedAt = Date.now();
    expect(client!.responses().find((r) => r.headers.get('cseq') === '2 UPDATE')).toMatchObject({ status: 200 });
    // Expiry = 3 s less min(32 s, a third) after the refresh: 2 s. No BYE before, one after.
    await sleep(1500);
    expect(requests(client!, 'BYE')).toHaveLength(0);
    await waitFor(() => requests(client!, 'BYE').length > 0, 2500);
    expect(Date.now() - refreshedAt).toBeGreaterThanOrEqual(1900);
    answer(client!, requests(client!, 'BYE')[0]!, 200);
    expect(await leg.ended).toEqual({ endReason: 'no_response', sipStatus: null });
  });

  it('a caller without timer support gets refresher=uas: we refresh with UPDATE, and hang up when it stops answering', async () => {
    const { ok, handler } = await call(['Allow: INVITE, ACK, CANCEL, BYE, UPDATE']);
    expect(ok.headers.get('session-expires')).toBe('2;refresher=uas');
    expect(ok.headers.get('require')).toBeUndefined();
    const leg = handler.answered[0]!;
    // First refresh at half the interval: answered, so the call goes on.
    await waitFor(() => requests(client!, 'UPDATE').length > 0, 2000);
    const first = requests(client!, 'UPDATE')[0]!;
    expect(first.headers.get('session-expires')).toBe('2;refresher=uac');
    answer(client!, first, 200, { 'session-expires': '2;refresher=uac' });
    // The next one goes unanswered (the caller died): the UPDATE times out and we send BYE.
    await waitFor(() => requests(client!, 'BYE').length > 0, 5000);
    expect(new Set(requests(client!, 'UPDATE').map((u) => u.headers.get('cseq'))).size).toBe(2);
    answer(client!, requests(client!, 'BYE')[0]!, 200);
    expect(await leg.ended).toEqual({ endReason: 'no_response', sipStatus: null });
  });

  it('refuses a Session-Expires below our Min-SE with 422 and Min-SE', async () => {
    const { ok, handler } = await call(['Supported: timer', 'Session-Expires: 1']);
    expect(ok.status).toBe(422);
    expect(ok.headers.get('min-se')).toBe('2');
    expect(handler.routed).toHaveLength(0);
  });

  /** A bare UDP trunk for outbound calls: records requests, answers what the test tells it to. */
  async function trunk() {
    const uas = createSocket('udp4');
    await new Promise<void>((r) => uas.bind(0, '127.0.0.1', () => r()));
    const got: Array<{ req: SipRequest; port: number }> = [];
    uas.on('message', (data, rinfo) => { const p = parseMessage(data, true); if (p.ok && p.message.kind === 'request') got.push({ req: p.message, port: rinfo.port }); });
    const reply = (g: { req: SipRequest; port: number }, status: number, o: Parameters<typeof createResponse>[2] = {}) => uas.send(serialize(createResponse(g.req, status, o)), g.port, '127.0.0.1');
    /** The n-th distinct request (by CSeq) of a method: UDP retransmissions don't count. */
    const nth = (method: string, n = 0) => {
      const seen = new Map<string, { req: SipRequest; port: number }>();
      for (const g of got) if (g.req.method === method && !seen.has(g.req.headers.get('cseq')!)) seen.set(g.req.headers.get('cseq')!, g);
      return [...seen.values()][n];
    };
    const answer200 = (g: { req: SipRequest; port: number }, headers: Record<string, string>) => reply(g, 200, {
      toTag: 'uas1', body: sdpWith('m=audio 40000 RTP/AVP 0'),
      headers: { contact: `<sip:uas@127.0.0.1:${uas.address().port}>`, 'content-type': 'application/sdp', ...headers },
    });
    engine = await startEngine(testConfig({ trunks: [{ name: 'pbx', host: '127.0.0.1', port: uas.address().port, allowed_sources: [] }], default_trunk: 'pbx' }), { timers: { t1: 20 }, sessionTimers: TIMERS });
    return { uas, got, reply, nth, answer200, dial: () => engine!.dial({ callId: 'out-st', to: '+15551234', ringTimeoutMs: 5000, recordingPath: null }, {}) };
  }

  it('outbound: offers timers, and refreshes with UPDATE when the trunk makes us the refresher', async () => {
    const t = await trunk();
    try {
      const dialing = t.dial();
      await waitFor(() => t.nth('INVITE') !== undefined);
      const inv = t.nth('INVITE')!;
      expect({ supported: inv.req.headers.get('supported'), se: inv.req.headers.get('session-expires'), minSe: inv.req.headers.get('min-se') }).toEqual({ supported: 'timer', se: '2', minSe: '2' });
      t.answer200(inv, { 'session-expires': '2;refresher=uac', require: 'timer', allow: 'INVITE, ACK, BYE, UPDATE' });
      const leg = await dialing;
      await waitFor(() => t.nth('UPDATE') !== undefined, 2000);
      expect(t.nth('UPDATE')!.req.headers.get('session-expires')).toBe('2;refresher=uac');
      t.reply(t.nth('UPDATE')!, 200, { headers: { 'session-expires': '2;refresher=uac' } });
      await waitFor(() => t.nth('UPDATE', 1) !== undefined, 2000);
      await leg.hangup('assistant_hangup');
      await waitFor(() => t.nth('BYE') !== undefined);
      t.reply(t.nth('BYE')!, 200);
    } finally {
      t.uas.close();
    }
  });

  it('outbound: after 422 retries with the trunk’s Min-SE; without UPDATE it refreshes by re-INVITE and ACKs the answer', async () => {
    const t = await trunk();
    try {
      const dialing = t.dial();
      await waitFor(() => t.nth('INVITE') !== undefined);
      t.reply(t.nth('INVITE')!, 422, { toTag: 'uas0', headers: { 'min-se': '3' } });
      await waitFor(() => t.nth('INVITE', 1) !== undefined);
      const retry = t.nth('INVITE', 1)!;
      expect(retry.req.headers.get('session-expires')).toBe('3');
      expect(Number(retry.req.headers.get('cseq')!.split(' ')[0])).toBe(Number(t.nth('INVITE')!.req.headers.get('cseq')!.split(' ')[0]) + 1);
      t.answer200(retry, { 'session-expires': '3;refresher=uac', allow: 'INVITE, ACK, BYE' });
      const leg = await dialing;
      // The refresh: a re-INVITE inside the dialog, with our SDP offer, at half of 3 s.
      await waitFor(() => t.nth('INVITE', 2) !== undefined, 3000);
      const refresh = t.nth('INVITE', 2)!;
      expect(refresh.req.headers.get('to')).toContain('tag=uas1');
      expect(refresh.req.body.toString()).toContain('m=audio');
      t.answer200(refresh, { 'session-expires': '3;refresher=uac' });
      await waitFor(() => t.got.filter((g) => g.req.method === 'ACK').some((g) => g.req.headers.get('cseq') === refresh.req.headers.get('cseq')!.replace('INVITE', 'ACK')));
      let ended = false;
      leg.onEnded(() => { ended = true; });
      await sleep(200);
      expect(ended).toBe(false);
      await leg.hangup('assistant_hangup');
    } finally {
      t.uas.close();
    }
  });
});
