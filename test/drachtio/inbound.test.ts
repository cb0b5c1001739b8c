import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness as start } from './harness.js';
import { digestAuthorization } from './digest-check.js';
import { header } from './sip-text.js';
import { FS_SDP, type FakeEndpoint } from './fake-media-server.js';
import { CALLER_SDP, PBX_ADDRESS, rampPcm, startHarness, until, type Harness } from './harness.js';

describe('drachtio engine: inbound calls through drachtio-server', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => { await h.close(); });

  it('answers an INVITE from the PBX with FreeSWITCH SDP, forks the audio and reports the leg', async () => {
    const recordingPath = join(h.dir, 'in.wav');
    h.inbound.decide = () => ({ action: 'accept', callId: 'call-in-1', recordingPath });
    const call = h.server.sendInvite({ to: '+33123456789', from: '+33611111111', source: PBX_ADDRESS, sdp: CALLER_SDP });

    const leg = await h.inbound.nextAnswered();
    const final = await call.answered;
    expect(final.status).toBe(200);
    expect(final.msg.body).toBe(FS_SDP);
    expect(h.inbound.routed).toEqual([{ to: '+33123456789', called: [{ number: '+33123456789', source: 'request_uri' }], from: '+33611111111', trunk: 'pbx', sipCallId: call.callId }]);
    expect(leg.callId).toBe('call-in-1');
    expect(leg.remote).toBe('+33611111111');
    expect(h.engine.health().activeCalls).toBe(1);

    const endpoint = h.media.endpoints[0] as FakeEndpoint;
    expect(endpoint.remoteSdp).toBe(CALLER_SDP);
    // The silence carrier that lets streamed-back audio leave FreeSWITCH (test/daemons proves it on the wire).
    expect(endpoint.keptWriting).toBe(1);
    expect(endpoint.fork?.options).toMatchObject({
      mixType: 'mono', sampling: '16k', metadata: { callId: 'call-in-1', token: expect.stringMatching(/^[0-9a-f]{32}$/) },
      bidirectionalAudio: { enabled: true, streaming: true, sampleRate: 8000 },
    });

    // Caller audio in odd-sized chunks comes out as exact 20 ms frames.
    const frames: Int16Array[] = [];
    leg.media.onAudio((f) => frames.push(f.slice()));
    const caller = rampPcm(16000 / 2);
    endpoint.fork!.sendAudio(caller, 962);
    await until(() => frames.length === 25, 5000, 'caller frames');
    expect(frames.every((f) => f.length === 320)).toBe(true);
    const joined = new Int16Array(frames.length * 320);
    frames.forEach((f, i) => joined.set(f, i * 320));
    expect(joined).toEqual(caller);

    // Assistant audio (24 kHz TTS) reaches FreeSWITCH as 8 kHz L16 (the channel's rate), paced,
    // and the mark follows it and fires when FreeSWITCH reports it played.
    const marks: string[] = [];
    leg.media.onMark((m) => marks.push(m));
    leg.media.play(new Int16Array(24000 / 10).fill(1000), 24000);
    leg.media.mark('greeting-done');
    expect(leg.media.queuedMs()).toBe(100);
    await until(() => marks.length === 1, 5000, 'mark');
    expect(marks).toEqual(['greeting-done']);
    expect(endpoint.fork!.marksAt).toEqual([800]);
    await until(() => endpoint.fork!.receivedSamples() === 800 + 4 * 160, 3000, 'assistant audio at FreeSWITCH, then the silent tail');
    expect(leg.media.queuedMs()).toBe(0);

    // Caller hangs up: BYE answered 200, leg ends, FreeSWITCH endpoint released, recording finalised.
    expect(await call.bye()).toBe(200);
    expect(await leg.ended).toEqual({ endReason: 'customer_hangup', sipStatus: null });
    expect(endpoint.destroyed).toBe(true);
    await until(() => endpoint.fork!.closed, 3000, 'fork closed');
    expect(h.engine.health().activeCalls).toBe(0);
    const wav = readFileSync(recordingPath);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
    // Left channel carries the caller, right channel the assistant.
    let callerEnergy = 0;
    let assistantEnergy = 0;
    for (let i = 44; i + 4 <= wav.length; i += 4) { callerEnergy += Math.abs(wav.readInt16LE(i)); assistantEnergy += Math.abs(wav.readInt16LE(i + 2)); }
    expect(callerEnergy).toBeGreaterThan(0);
    // 100 ms of a 1000-level tone, less the resampler's few-sample warm-up.
    expect(assistantEnergy).toBeGreaterThan(1600 * 1000 * 0.98);
    expect(assistantEnergy).toBeLessThanOrEqual(1600 * 1000 * 1.01);
  });

  it('refuses an INVITE from a source no trunk allows with 403, without asking the control plane', async () => {
    const call = h.server.sendInvite({ to: '+33123456789', from: '+1555', source: '203.0.113.99', sdp: CALLER_SDP });
    expect((await call.answered).status).toBe(403);
    expect(h.inbound.routed).toHaveLength(0);
    expect(h.engine.counters().inboundRejected).toBe(1);
  });

  it('sends the SIP status the control plane decides when it rejects', async () => {
    h.inbound.decide = () => ({ action: 'reject', sipStatus: 486, reason: 'Busy Here' });
    const call = h.server.sendInvite({ to: '+33123456789', from: '+336', source: PBX_ADDRESS, sdp: CALLER_SDP });
    const final = await call.answered;
    expect(final.status).toBe(486);
    expect(h.media.endpoints).toHaveLength(0);
  });

  it('reports a caller who hangs up while the control plane is still deciding as abandoned', async () => {
    let release!: () => void;
    h.inbound.decide = () => new Promise((resolve) => { release = () => resolve({ action: 'accept', callId: 'call-gone', recordingPath: null }); });
    const call = h.server.sendInvite({ to: '+33123456789', from: '+336', source: PBX_ADDRESS, sdp: CALLER_SDP });
    await until(() => h.inbound.routed.length === 1);
    call.cancel();
    await new Promise((r) => setTimeout(r, 30));
    release();
    await until(() => h.inbound.abandoned.length === 1);
    expect(h.inbound.abandoned[0]).toEqual({ callId: 'call-gone', endReason: 'customer_hangup', sipStatus: 487 });
    expect(h.inbound.answered).toHaveLength(0);
  });

  it('hangs up from our side with a BYE through drachtio-server', async () => {
    const call = h.server.sendInvite({ to: '+33123456789', from: '+336', source: PBX_ADDRESS, sdp: CALLER_SDP });
    const leg = await h.inbound.nextAnswered();
    await call.answered;
    await leg.hangup('assistant_hangup');
    expect(await leg.ended).toEqual({ endReason: 'assistant_hangup', sipStatus: null });
    const bye = h.server.appRequests.find((r) => r.method === 'BYE');
    expect(bye && header(bye, 'Call-ID')).toBe(call.callId);
    await leg.hangup('api_hangup'); // idempotent: no second BYE
    expect(h.server.appRequests.filter((r) => r.method === 'BYE')).toHaveLength(1);
  });

  it('hands a re-INVITE to FreeSWITCH and answers with its SDP', async () => {
    const call = h.server.sendInvite({ to: '+33123456789', from: '+336', source: PBX_ADDRESS, sdp: CALLER_SDP });
    await h.inbound.nextAnswered();
    await call.answered;
    const held = CALLER_SDP.replace('a=sendrecv', 'a=sendonly').replace('o=- 1 1', 'o=- 1 2');
    const status = await h.server.sendInDialog(call.dialogId!, 'INVITE', PBX_ADDRESS, undefined, { headers: { 'Content-Type': 'application/sdp' }, body: held });
    expect(status).toBe(200);
    expect((h.media.endpoints[0] as FakeEndpoint).remoteSdp).toBe(held);
  });
});

describe('drachtio engine: inbound digest auth for trunks with inbound_auth', () => {
  it('challenges an unknown source with 401 and answers once its credentials check out', async () => {
    const h = await start({ trunks: [{ name: 'softphones', host: '127.0.0.1', username: 'desk', password: 'desk-pass', realm: 'phonevoice.test', inbound_auth: true }] });
    try {
      const first = h.server.sendInvite({ to: '+33123456789', from: '+336', source: '198.51.100.7', sdp: CALLER_SDP });
      const challenge = await first.answered;
      expect(challenge.status).toBe(401);
      const wwwAuth = header(challenge.msg, 'WWW-Authenticate')!;
      expect(wwwAuth).toMatch(/^Digest realm="phonevoice.test", nonce="[0-9a-f]+"/);

      const wrong = h.server.sendInvite({ to: '+33123456789', from: '+336', source: '198.51.100.7', sdp: CALLER_SDP,
        headers: { Authorization: digestAuthorization(wwwAuth, 'INVITE', 'sip:+33123456789@127.0.0.1:5060', 'desk', 'guess') } });
      expect((await wrong.answered).status).toBe(401);

      const retry = h.server.sendInvite({ to: '+33123456789', from: '+336', source: '198.51.100.7', sdp: CALLER_SDP,
        headers: { Authorization: digestAuthorization(wwwAuth, 'INVITE', 'sip:+33123456789@127.0.0.1:5060', 'desk', 'desk-pass') } });
      expect((await retry.answered).status).toBe(200);
      expect(h.inbound.routed.map((r) => r.trunk)).toEqual(['softphones']);
    } finally {
      await h.close();
    }
  });
});
