import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { parseRemote } from '../../src/telephony/embedded/sdp.js';
import { RawPeer, tone, waitFor as waitForMedia } from '../media/helpers.js';
import { startEngine, testConfig, TestInboundHandler, waitFor } from './harness.js';
import { inDialog, invite, RawSipClient, sdpWith, sleep } from './raw-client.js';

const NUMBER = '+15550008';

describe('embedded engine: a third party cannot take over a call’s RTP', () => {
  let engine: EmbeddedTelephony | null = null;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
    await engine?.stop();
    engine = null;
  });

  it('in-sequence RTP from a third address before the caller’s first packet is never latched, never sent to, and counted as spoofed', async () => {
    engine = await startEngine(testConfig());
    const handler = new TestInboundHandler(NUMBER);
    engine.setInboundHandler(handler);
    const sip = await RawSipClient.open('udp', engine.sipPort);
    const caller = await RawPeer.create(0, '127.0.0.1');
    const intruder = await RawPeer.create(0, '127.0.0.3');
    closers.push(() => sip.close(), () => caller.close(), () => intruder.close());

    // The caller (SIP and SDP on 127.0.0.1) is late to send media, as behind a NAT.
    sip.send(invite({ port: sip.port, serverPort: engine.sipPort, to: NUMBER, callId: 'takeover', branch: 'z9hG4bKtakeover', sdp: sdpWith(`m=audio ${caller.port} RTP/AVP 0`) }));
    await waitFor(() => sip.responses(200).length > 0);
    const ok = sip.responses(200)[0]!;
    sip.send(inDialog({ method: 'ACK', port: sip.port, serverPort: engine.sipPort, callId: 'takeover', cseq: 1, branch: 'z9hG4bKtakeoverack', to: ok.headers.get('to')! }));
    const ours = parseRemote(ok.body.toString('utf8'))!;
    const leg = handler.answered[0]!;
    const heard: number[] = [];
    leg.media.onAudio((f) => heard.push(Math.max(...f.map(Math.abs))));

    // The intruder sprays well-formed, in-sequence RTP (a loud payload) at our port.
    for (let i = 0; i < 25; i++) {
      await intruder.send(ours.port, 0, 1000 + i, 160 * i, 0xbad, new Uint8Array(160).fill(0x80));
      await sleep(5);
    }
    leg.media.play(tone(440, 400, 8000), 8000);
    await waitForMedia(() => caller.received.length >= 10, 3000, 'our audio at the SDP address');
    expect(intruder.received).toHaveLength(0);
    expect(leg.stats()).toMatchObject({ packetsReceived: 0, packetsSpoofed: 25 });
    expect(heard.every((peak) => peak === 0)).toBe(true);

    // The real caller starts sending: received at once, and still nothing reaches the intruder.
    for (let i = 0; i < 10; i++) {
      await caller.send(ours.port, 0, 50 + i, 160 * i, 0x600d, new Uint8Array(160).fill(0xff));
      await sleep(20);
    }
    await waitForMedia(() => leg.stats().packetsReceived === 10, 2000, 'caller packets');
    expect(intruder.received).toHaveLength(0);

    // /metrics reports them once the call has ended.
    await leg.hangup('assistant_hangup');
    const metrics = new Metrics();
    metrics.observeMedia(leg.stats());
    expect(await metrics.registry.metrics()).toMatch(/^phonevoice_rtp_spoofed_packets_total 25$/m);
  });
});
