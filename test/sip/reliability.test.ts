import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { startEngine, testConfig, TestInboundHandler } from './harness.js';
import { invite, RawSipClient, sleep } from './raw-client.js';

describe('embedded SIP engine: a lost 200 OK', () => {
  let engine: EmbeddedTelephony;
  let client: RawSipClient;
  afterEach(async () => { await client?.close(); await engine?.stop(); });

  it('retransmits the 200 OK (T1, 2×T1, 4×T1…) until the ACK, then stops', async () => {
    engine = await startEngine(testConfig(), { timers: { t1: 100 } });
    const handler = new TestInboundHandler('+15550002');
    engine.setInboundHandler(handler);
    client = await RawSipClient.open('udp', engine.sipPort);
    client.send(invite({ port: client.port, serverPort: engine.sipPort, to: '+15550002', callId: 'lost200', branch: 'z9hG4bKlost200' }));
    // Never ACK for a while: the first 200 and its retransmissions at +100, +300, +700 ms.
    const until = Date.now() + 3000;
    while (client.responses(200).length < 4 && Date.now() < until) await sleep(20);
    const before = client.responses(200).length;
    expect(before).toBeGreaterThanOrEqual(4);
    const ok = client.responses(200)[0];
    client.send([
      `ACK sip:+15550002@127.0.0.1:${engine.sipPort} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKlost200ack`,
      `From: ${ok.headers.get('from')}`, `To: ${ok.headers.get('to')}`, 'Call-ID: lost200', 'CSeq: 1 ACK', 'Max-Forwards: 70', 'Content-Length: 0', '', '',
    ].join('\r\n'));
    await sleep(1000);
    // At most one copy was already in flight when the ACK arrived.
    expect(client.responses(200).length - before).toBeLessThanOrEqual(1);
    expect(handler.answered).toHaveLength(1);
    const leg = handler.answered[0];
    let ended = false;
    leg.onEnded(() => { ended = true; });
    expect(ended).toBe(false);

    // A BYE naming another dialog (wrong From tag) is refused with 481 and ends nothing.
    const bye = (fromTag: string, branch: string) => [
      `BYE sip:raw@127.0.0.1:${engine.sipPort} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=${branch}`,
      `From: <sip:raw@127.0.0.1:${client.port}>;tag=${fromTag}`, `To: ${ok.headers.get('to')}`, 'Call-ID: lost200', 'CSeq: 2 BYE', 'Max-Forwards: 70', 'Content-Length: 0', '', '',
    ].join('\r\n');
    client.send(bye('someoneelse', 'z9hG4bKbye1'));
    await sleep(200);
    expect(client.responses(481)).toHaveLength(1);
    expect(ended).toBe(false);
    client.send(bye('rawlost200', 'z9hG4bKbye2'));
    expect(await leg.ended).toEqual({ endReason: 'customer_hangup', sipStatus: null });
    await sleep(100);
    expect(client.responses().filter((r) => r.headers.get('cseq') === '2 BYE').map((r) => r.status)).toEqual([481, 200]);
  });
});
