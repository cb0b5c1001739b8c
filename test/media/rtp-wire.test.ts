import { afterEach, describe, expect, it } from 'vitest';
import { ULAW_ENCODE } from '../../src/media/g711.js';
import type { RtpSessionPool } from '../../src/media/rtp-pool.js';
import type { RtpSession } from '../../src/media/rtp-types.js';
import { RawPeer, remote, testPool, tone, waitFor } from './helpers.js';

let pool: RtpSessionPool;
const peers: RawPeer[] = [];
afterEach(async () => {
  await pool?.close();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function sessionTo(peer: RawPeer, extra: Parameters<typeof remote>[1] = {}, jitterBufferMs = 40): Promise<RtpSession> {
  const s = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs, callId: 'wire' });
  s.configure(remote(peer.port, extra));
  s.start();
  return s;
}

async function peer(): Promise<RawPeer> {
  const p = await RawPeer.create();
  peers.push(p);
  return p;
}

/**
 * Packet n carries 160 copies of μ-law code 0xff − 3(n+1): a constant level that survives
 * decoding and resampling, so each played frame names the packet it came from (0 = silence).
 */
const idPayload = (n: number) => new Uint8Array(160).fill(0xff - 3 * (n + 1));
const idOf = (sample: number) => (0xff - ULAW_ENCODE[sample & 0xffff]!) / 3;

describe.each([
  ['on the main thread', false],
  ['on the UDP I/O thread', true],
])('RTP on the wire (a hand-rolled peer on a raw UDP socket) — socket I/O %s', (_where, ioThread) => {
  it('sends one 20 ms packet per tick with +1 sequence, +160 timestamp, one SSRC, marker on the first packet and on talkspurt start', async () => {
    pool = testPool({ ioThread });
    const p = await peer();
    const s = await sessionTo(p);
    await waitFor(() => p.received.length >= 5, 2000, 'silence packets');
    s.play(tone(1000, 100, 8000), 8000);
    await waitFor(() => p.received.length >= 15, 2000, 'packets');
    const r = p.received;
    const first = r[0]!.header;
    r.forEach(({ header: h, payload }, i) => {
      expect(h.payloadType).toBe(0);
      expect(h.ssrc).toBe(first.ssrc);
      expect(h.sequence).toBe((first.sequence + i) & 0xffff);
      expect(h.timestamp).toBe((first.timestamp + 160 * i) >>> 0);
      expect(payload.length).toBe(160);
    });
    expect(r[0]!.payload.every((b) => b === 0xff)).toBe(true); // comfort: μ-law silence
    const talk = r.findIndex((x) => x.payload.some((b) => b !== 0xff));
    expect(talk).toBeGreaterThan(0);
    expect(r.map((x) => x.header.marker)).toEqual(r.map((_, i) => i === 0 || i === talk));
  });

  it('sends A-law silence for PCMA and stops sending on hold with timestamps still following wall time', async () => {
    pool = testPool({ ioThread });
    const p = await peer();
    const s = await sessionTo(p, { codec: 'PCMA', payloadType: 8 });
    await waitFor(() => p.received.length >= 3, 2000, 'packets');
    s.setHold(true);
    const sentAtHold = s.stats().packetsSent;
    await new Promise((r) => setTimeout(r, 200));
    expect(s.stats().packetsSent).toBe(sentAtHold);
    s.setHold(false);
    await waitFor(() => p.received.length >= sentAtHold + 3, 2000, 'resume');
    const seq0 = p.received[0]!.header.sequence;
    const byIndex = (i: number) => p.received.find((x) => ((x.header.sequence - seq0) & 0xffff) === i)!.header;
    const last = byIndex(sentAtHold - 1);
    const resumed = byIndex(sentAtHold);
    expect(resumed.marker).toBe(true);
    expect(resumed.sequence).toBe((last.sequence + 1) & 0xffff);
    expect((resumed.timestamp - last.timestamp) >>> 0).toBeGreaterThanOrEqual(160 * 9); // ≥ 180 ms of ticks passed
    expect(p.received.every((x) => x.header.payloadType === 8)).toBe(true);
    expect(p.received[0]!.payload.every((b) => b === 0xd5)).toBe(true);
  });

  it('after clear() the very next packet is silence', async () => {
    pool = testPool({ ioThread });
    const p = await peer();
    const s = await sessionTo(p);
    s.play(tone(800, 3000, 8000), 8000);
    const loud = () => p.received.filter((x) => x.payload.some((b) => b !== 0xff)).length;
    await waitFor(() => loud() >= 5, 2000, 'audio');
    const sentBeforeClear = s.stats().packetsSent;
    s.clear();
    await waitFor(() => p.received.length >= sentBeforeClear + 5, 2000, 'more packets');
    const seq0 = p.received[0]!.header.sequence;
    const byIndex = (i: number) => p.received.find((x) => ((x.header.sequence - seq0) & 0xffff) === i)!;
    expect(byIndex(sentBeforeClear - 1).payload.some((b) => b !== 0xff)).toBe(true);
    for (let i = sentBeforeClear; i < sentBeforeClear + 5; i++) expect(byIndex(i).payload.every((b) => b === 0xff)).toBe(true);
  });

  it('puts RFC 4733 events on the wire: marker on the first, end bit three times, one timestamp per digit', async () => {
    pool = testPool({ ioThread });
    const p = await peer();
    const s = await sessionTo(p, { dtmfPayloadType: 96 });
    await s.sendDtmf('4#');
    // The promise resolves when the last end packet was handed to the socket; let it land.
    await waitFor(() => p.received.filter((x) => x.header.payloadType === 96).length === 14, 1000, 'all event packets');
    const events = p.received.filter((x) => x.header.payloadType === 96);
    const byTs = new Map<number, typeof events>();
    for (const e of events) byTs.set(e.header.timestamp, [...(byTs.get(e.header.timestamp) ?? []), e]);
    expect([...byTs.values()].map((v) => v[0]!.payload[0])).toEqual([4, 11]);
    for (const pkts of byTs.values()) {
      expect(pkts.map((x) => x.header.marker)).toEqual(pkts.map((_, i) => i === 0));
      expect(pkts.filter((x) => (x.payload[1]! & 0x80) !== 0).length).toBe(3);
      expect(pkts.at(-1)!.payload.readUInt16BE(2)).toBe(800);
      expect(pkts.every((x) => (x.payload[1]! & 0x3f) === 10)).toBe(true);
    }
    // The audio stream's sequence numbers are shared: no gaps across the events.
    const seqs = p.received.map((x) => x.header.sequence);
    seqs.slice(1).forEach((q, i) => expect(q).toBe((seqs[i]! + 1) & 0xffff));
  });

  it('plays a reordered, lossy, duplicated stream in order, counting loss and jitter', async () => {
    pool = testPool({ ioThread });
    const p = await peer();
    // The whole stream arrives in one burst, shuffled; a buffer deeper than the stream makes
    // the playout independent of how busy the test machine is.
    const s = await sessionTo(p, {}, 800);
    const frames: number[] = [];
    s.onAudio((f) => frames.push(f[120]!)); // late in the frame
    // 30 packets, numbered by their payload; 7 and 19 lost; 10/11 and 20/22 swapped; 5 and 15 duplicated.
    const order = [0, 1, 2, 3, 4, 5, 5, 6, 8, 9, 11, 10, 12, 13, 14, 15, 16, 15, 17, 18, 22, 21, 20, 23, 24, 25, 26, 27, 28, 29];
    const ssrc = 0x51c0ffee;
    for (const i of order) await p.send(s.localPort, 0, 1000 + i, 90_000 + i * 160, ssrc, idPayload(i));
    await waitFor(() => frames.length >= 32, 3000, 'playout');
    const st = s.stats();
    expect(st.packetsReceived).toBe(30);
    expect(st.packetsLost).toBe(0); // 2 lost, 2 duplicates: RFC 3550's cumulative count nets them out
    expect(st.jitterMs).toBeGreaterThan(0);
    const heard = frames.map(idOf);
    const start = heard.indexOf(1);
    const expected = Array.from({ length: 30 }, (_, i) => (i === 7 || i === 19 ? 0 : i + 1));
    expect(heard.slice(start, start + 30)).toEqual(expected);
  });
});
