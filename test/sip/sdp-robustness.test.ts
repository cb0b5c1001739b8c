import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { DialError } from '../../src/telephony/types.js';
import { freePort, runSipp, startEngine, testConfig, TestInboundHandler, waitFor } from './harness.js';
import { inDialog, invite, RawSipClient, sdpWith, sleep } from './raw-client.js';

/** The codec: an rtpmap whose encoding name is all digits. */
const DIGIT_CODEC = ['m=audio 40000 RTP/AVP 96', 'a=rtpmap:96 1234/8000'];
const NUMBER = '+15550007';

describe('embedded SIP engine: odd or broken SDP is answered, never 500, never left hanging', () => {
  let engine: EmbeddedTelephony | null = null;
  let client: RawSipClient | null = null;
  afterEach(async () => { await client?.close(); client = null; await engine?.stop(); engine = null; });

  const finalOf = (c: RawSipClient, callId: string, cseq = 1) =>
    c.responses().find((r) => r.status >= 200 && r.headers.get('call-id') === callId && r.headers.get('cseq')?.startsWith(`${cseq} `));

  async function start() {
    engine = await startEngine(testConfig(), { timers: { t1: 100 } });
    const handler = new TestInboundHandler(NUMBER);
    engine.setInboundHandler(handler);
    client = await RawSipClient.open('udp', engine.sipPort);
    return handler;
  }

  it('initial INVITE: a digit-named codec alone or a malformed m= line → 488; next to PCMU it is ignored → 200', async () => {
    const handler = await start();
    const cases = [
      { callId: 'digits-only', sdp: sdpWith(...DIGIT_CODEC), status: 488 },
      { callId: 'bad-port', sdp: sdpWith('m=audio port RTP/AVP 0'), status: 488 },
      { callId: 'bad-pt', sdp: sdpWith('m=audio 40000 RTP/AVP 0 zero'), status: 488 },
      { callId: 'bad-rtpmap', sdp: sdpWith('m=audio 40000 RTP/AVP 0', 'a=rtpmap:0'), status: 488 },
      { callId: 'digits-and-pcmu', sdp: sdpWith('m=audio 40000 RTP/AVP 96 0', 'a=rtpmap:96 1234/8000', 'a=rtpmap:0 PCMU/8000'), status: 200 },
    ];
    for (const c of cases) client!.send(invite({ port: client!.port, serverPort: engine!.sipPort, to: NUMBER, callId: c.callId, branch: `z9hG4bK${c.callId}`, sdp: c.sdp }));
    await waitFor(() => cases.every((c) => finalOf(client!, c.callId)));
    expect(cases.map((c) => ({ callId: c.callId, status: finalOf(client!, c.callId)!.status }))).toEqual(cases.map((c) => ({ callId: c.callId, status: c.status })));
    expect(handler.answered).toHaveLength(1);
  });

  it('re-INVITE with a digit-named codec or a malformed m= line → 488, and the call goes on', async () => {
    const handler = await start();
    const port = client!.port;
    const serverPort = engine!.sipPort;
    client!.send(invite({ port, serverPort, to: NUMBER, callId: 'reinv', branch: 'z9hG4bKreinv1' }));
    await waitFor(() => finalOf(client!, 'reinv') !== undefined);
    const to = finalOf(client!, 'reinv')!.headers.get('to')!;
    client!.send(inDialog({ method: 'ACK', port, serverPort, callId: 'reinv', cseq: 1, branch: 'z9hG4bKreinvack', to }));
    const leg = handler.answered[0]!;
    let ended = false;
    leg.onEnded(() => { ended = true; });
    client!.send(inDialog({ method: 'INVITE', port, serverPort, callId: 'reinv', cseq: 2, branch: 'z9hG4bKreinv2', to, sdp: sdpWith(...DIGIT_CODEC) }));
    await waitFor(() => finalOf(client!, 'reinv', 2) !== undefined, 3000);
    expect(finalOf(client!, 'reinv', 2)!.status).toBe(488);
    client!.send(inDialog({ method: 'ACK', port, serverPort, callId: 'reinv', cseq: 2, branch: 'z9hG4bKreinv2', to }));
    client!.send(inDialog({ method: 'INVITE', port, serverPort, callId: 'reinv', cseq: 3, branch: 'z9hG4bKreinv3', to, sdp: sdpWith('m=audio x RTP/AVP 0') }));
    await waitFor(() => finalOf(client!, 'reinv', 3) !== undefined, 3000);
    expect(finalOf(client!, 'reinv', 3)!.status).toBe(488);
    client!.send(inDialog({ method: 'ACK', port, serverPort, callId: 'reinv', cseq: 3, branch: 'z9hG4bKreinv3', to }));
    await sleep(100);
    expect(ended).toBe(false);
    // The call still works: a good re-INVITE is answered, then BYE ends it normally.
    client!.send(inDialog({ method: 'INVITE', port, serverPort, callId: 'reinv', cseq: 4, branch: 'z9hG4bKreinv4', to, sdp: sdpWith('m=audio 40002 RTP/AVP 0') }));
    await waitFor(() => finalOf(client!, 'reinv', 4) !== undefined, 3000);
    expect(finalOf(client!, 'reinv', 4)!.status).toBe(200);
    client!.send(inDialog({ method: 'ACK', port, serverPort, callId: 'reinv', cseq: 4, branch: 'z9hG4bKreinv4ack', to }));
    client!.send(inDialog({ method: 'BYE', port, serverPort, callId: 'reinv', cseq: 5, branch: 'z9hG4bKreinv5', to }));
    expect(await leg.ended).toEqual({ endReason: 'customer_hangup', sipStatus: null });
    // No 500 anywhere in the exchange.
    expect(client!.responses().filter((r) => r.status >= 500)).toEqual([]);
  });

  it('outbound: a 200 OK whose SDP we cannot use is ACKed and then ended with BYE, and the dial fails with 488', async () => {
    for (const media of [DIGIT_CODEC.join('\n      '), 'm=audio 4000 RTP/AVP 0 x']) {
      const port = await freePort();
      const sipp = runSipp({ scenario: 'uas-answer-sdp.xml', localPort: port, template: { MEDIA: media } });
      await sipp.ready;
      engine = await startEngine(testConfig({
        trunks: [{ name: 'pbx', host: '127.0.0.1', port, prefixes: ['+1555'], allowed_sources: [] }], default_trunk: 'pbx',
      }));
      const err = await engine.dial({ callId: 'out-odd', to: '+15551234', ringTimeoutMs: 5000, recordingPath: null }, {}).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DialError);
      expect((err as DialError).sipStatus).toBe(488);
      // SIPp passes only if it saw our ACK and then our BYE.
      const result = await sipp.done;
      expect(result.code, result.output + result.errors).toBe(0);
      expect(engine.health().activeCalls).toBe(0);
      await engine.stop();
      engine = null;
    }
  });
});
