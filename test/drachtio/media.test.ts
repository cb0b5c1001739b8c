import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallLeg } from '../../src/telephony/types.js';
import type { FakeEndpoint } from './fake-media-server.js';
import { CALLER_SDP, PBX_ADDRESS, startHarness, until, type Harness } from './harness.js';

describe('drachtio engine: media over the mod_audio_fork WebSocket', () => {
  let h: Harness;
  let leg: CallLeg;
  let endpoint: FakeEndpoint;
  beforeEach(async () => {
    h = await startHarness();
    h.server.sendInvite({ to: '+33123456789', from: '+336', source: PBX_ADDRESS, sdp: CALLER_SDP });
    leg = await h.inbound.nextAnswered();
    endpoint = h.media.endpoints[0] as FakeEndpoint;
  });
  afterEach(async () => { await h.close(); });

  it('streams assistant audio frame by frame at the media clock, not in one burst', async () => {
    leg.media.play(new Int16Array(16000).fill(300), 16000); // one second
    expect(leg.media.queuedMs()).toBe(1000);
    await until(() => endpoint.fork!.receivedSamples() > 0, 3000, 'first frame');
    // Audio has started leaving while most of it is still queued here.
    expect(leg.media.queuedMs()).toBeGreaterThan(0);
    // 20 ms frames at the channel's 8 kHz (mod_audio_fork then has nothing to resample).
    expect(endpoint.fork!.received.every((b) => b.length === 320)).toBe(true);
    await until(() => endpoint.fork!.receivedSamples() >= 8000, 3000, 'whole second');
    expect(leg.media.queuedMs()).toBe(0);
    // Then 80 ms of silence pushes the tail through mod_audio_fork's 80 ms prebuffer steps.
    await until(() => endpoint.fork!.receivedSamples() === 8000 + 4 * 160, 3000, 'tail');
    await new Promise((r) => setTimeout(r, 100));
    expect(leg.stats()).toMatchObject({ codec: 'L16/16000', packetsSent: 54 });
  });

  it('barge-in with a mark still in FreeSWITCH: one 0xFFFF sample per such mark after killAudio, and the next mark waits 8 frames', async () => {
    const fork = endpoint.fork!;
    fork.confirmMarks = false;
    leg.media.play(new Int16Array(1600).fill(400), 16000);
    leg.media.mark('in-flight');
    await until(() => fork.texts.some((t) => t.includes('"mark"')), 3000, 'mark sent');
    const texts = fork.texts.length;
    leg.media.clear();
    await until(() => fork.texts.length === texts + 1, 3000, 'killAudio');
    await until(() => fork.received.at(-1)!.length === 2, 3000, 'drain');
    expect(fork.received.at(-1)).toEqual(Buffer.from([0xff, 0xff]));
    // The next mark goes out only after 8 frames (160 ms) have pushed the drain through.
    fork.confirmMarks = true;
    const framesBefore = fork.received.length;
    leg.media.play(new Int16Array(320).fill(400), 16000); // one frame
    leg.media.mark('after');
    await until(() => fork.texts.length === texts + 2, 3000, 'next mark');
    expect(fork.received.length - framesBefore).toBe(8);
  });

  it('a mark fires when FreeSWITCH reports the audio before it played, not when we sent it', async () => {
    const played: string[] = [];
    leg.media.onMark((m) => played.push(m));
    const fork = endpoint.fork!;
    const before = fork.receivedSamples();
    fork.confirmMarks = false;
    leg.media.play(new Int16Array(1600).fill(400), 16000); // 100 ms
    leg.media.mark('unconfirmed');
    await until(() => fork.texts.some((t) => t.includes('"mark"')), 3000, 'mark sent');
    // It went out right behind its audio, and waits for FreeSWITCH…
    expect(fork.receivedSamples() - before).toBe(800);
    await new Promise((r) => setTimeout(r, 300));
    expect(played).toEqual([]);
    // …which never answers here: it fires on the timeout, counted.
    await until(() => played.length === 1, 3000, 'mark on timeout');
    expect((leg.media as unknown as { marksUnconfirmed: number }).marksUnconfirmed).toBe(1);

    fork.confirmMarks = true;
    leg.media.play(new Int16Array(1600).fill(400), 16000);
    leg.media.mark('confirmed');
    await until(() => played.length === 2, 1000, 'confirmed mark');
    expect(played).toEqual(['unconfirmed', 'confirmed']);
    expect((leg.media as unknown as { marksUnconfirmed: number }).marksUnconfirmed).toBe(1);
  });

  it('refuses fork connections with the wrong subprotocol or bad metadata, and the call carries on', async () => {
    const { default: WebSocket } = await import('ws');
    const url = `ws://127.0.0.1:${h.engine.audioWsPort}`;
    const closeCode = (ws: InstanceType<typeof WebSocket>) => new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const wrong = new WebSocket(url, 'chat');
    wrong.on('error', () => undefined);
    await new Promise((r) => wrong.on('close', r)); // handshake refused
    const bad = new WebSocket(url, 'audio.drachtio.org');
    bad.on('open', () => bad.send('{not json'));
    expect(await closeCode(bad)).toBe(1008);
    const binaryFirst = new WebSocket(url, 'audio.drachtio.org');
    binaryFirst.on('open', () => binaryFirst.send(Buffer.alloc(640)));
    expect(await closeCode(binaryFirst)).toBe(1008);
    expect(h.engine.counters().audioForkRejected).toBe(3);
    expect(h.engine.health().activeCalls).toBe(1);
  });

  it('barge-in: clear() sends killAudio, drops the queue and reports the marks that will never play', async () => {
    const cleared: string[][] = [];
    const played: string[] = [];
    leg.media.onClear((m) => cleared.push(m));
    leg.media.onMark((m) => played.push(m));
    leg.media.play(new Int16Array(16000 * 2).fill(500), 16000);
    leg.media.mark('sentence-1');
    leg.media.play(new Int16Array(16000).fill(500), 16000);
    leg.media.mark('sentence-2');
    await until(() => endpoint.fork!.receivedSamples() > 0, 3000, 'first frame');

    leg.media.clear();
    expect(leg.media.queuedMs()).toBe(0);
    expect(cleared).toEqual([['sentence-1', 'sentence-2']]);
    await until(() => endpoint.fork!.texts.length === 1, 3000, 'killAudio');
    expect(JSON.parse(endpoint.fork!.texts[0]!)).toEqual({ type: 'killAudio' });

    // Nothing more leaves after the clear, and the dropped marks never fire.
    const after = endpoint.fork!.receivedSamples();
    await new Promise((r) => setTimeout(r, 100));
    expect(endpoint.fork!.receivedSamples()).toBe(after);
    expect(played).toEqual([]);
  });

  it('reports DTMF from FreeSWITCH and sends DTMF through the endpoint', async () => {
    const digits: Array<[string, number]> = [];
    leg.media.onDtmf((d, ms) => digits.push([d, ms]));
    endpoint.receiveDtmf('5', 120);
    expect(digits).toEqual([['5', 120]]);
    await leg.media.sendDtmf('12#');
    expect(endpoint.dtmfSent).toEqual(['12#']);
    await expect(leg.media.sendDtmf('1; rm')).rejects.toThrow(/invalid DTMF/);
  });

  it('keeps the call up when a media listener throws', async () => {
    let calls = 0;
    leg.media.onAudio(() => { calls++; throw new Error('buggy consumer'); });
    endpoint.fork!.sendAudio(new Int16Array(640));
    await until(() => calls === 2, 3000, 'frames');
    expect(leg.stats().packetsReceived).toBe(2);
    expect(h.engine.health().activeCalls).toBe(1);
  });

  it('hangs the caller up when FreeSWITCH drops the channel (RTP timeout)', async () => {
    endpoint.hangupFromFreeswitch('MEDIA_TIMEOUT');
    expect(await leg.ended).toEqual({ endReason: 'error', sipStatus: null });
    expect(h.server.appRequests.filter((r) => r.method === 'BYE')).toHaveLength(1);
  });

  it('hangs the caller up when the audio fork socket goes away mid-call', async () => {
    endpoint.fork!.close();
    expect(await leg.ended).toEqual({ endReason: 'error', sipStatus: null });
    expect(h.server.appRequests.filter((r) => r.method === 'BYE')).toHaveLength(1);
    expect(h.engine.health().activeCalls).toBe(0);
  });
});
