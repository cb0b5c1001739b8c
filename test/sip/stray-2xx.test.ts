/**
 * A 200 OK to an INVITE no transaction here expects — the answer that crossed a kill -9 and
 * reaches the restarted server with the callee's next retransmission — is acknowledged and the
 * call ended with BYE (RFC 3261 §13.2.2.4), so the far end is not left talking to nobody.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { startEngine, testConfig } from './harness.js';
import { RawSipClient, sleep } from './raw-client.js';

describe('embedded SIP engine: a 200 OK nobody expects', () => {
  let engine: EmbeddedTelephony | null = null;
  let callee: RawSipClient | null = null;
  afterEach(async () => { await callee?.close(); await engine?.stop(); });

  it('is acknowledged and ended with a BYE to its Contact, in the dialog the 200 names', async () => {
    engine = await startEngine(testConfig());
    callee = await RawSipClient.open('udp', engine.sipPort);
    const c = callee;
    c.send([
      'SIP/2.0 200 OK',
      `Via: SIP/2.0/UDP 127.0.0.1:${engine.sipPort};branch=z9hG4bKcrossedkill1`,
      'From: <sip:phonevoice@127.0.0.1>;tag=ourside1',
      `To: <sip:+15550009@127.0.0.1:${c.port}>;tag=calleeside1`,
      'Call-ID: crossed-a-kill-1',
      'CSeq: 7 INVITE',
      `Contact: <sip:callee@127.0.0.1:${c.port}>`,
      'Content-Length: 0', '', '',
    ].join('\n'));
    const requests = () => c.received.filter((m) => m.kind === 'request');
    for (const until = Date.now() + 5000; !requests().some((m) => m.kind === 'request' && m.method === 'BYE') && Date.now() < until;) await sleep(20);
    const [ack, bye] = requests() as Array<Extract<(typeof c.received)[number], { kind: 'request' }>>;
    expect([ack?.method, bye?.method]).toEqual(['ACK', 'BYE']);
    for (const m of [ack!, bye!]) {
      expect(m.headers.get('call-id')).toBe('crossed-a-kill-1');
      expect(m.headers.get('from')).toContain('tag=ourside1');
      expect(m.headers.get('to')).toContain('tag=calleeside1');
      expect(m.uri).toBe(`sip:callee@127.0.0.1:${c.port}`);
    }
    expect(ack!.headers.get('cseq')).toBe('7 ACK');
    expect(Number(bye!.headers.get('cseq')!.split(' ')[0])).toBeGreaterThan(7);
  });
});
