import { describe, expect, it } from 'vitest';
import { ReceiveStats } from './receive-stats.js';
import { buildRtcpReport, isRtcp, readSenderReport } from './rtcp.js';

describe('RTCP reports', () => {
  it('build an SR with one report block and CNAME that the parser reads back', () => {
    const rx = new ReceiveStats(8000);
    for (const seq of [10, 11, 13, 14]) rx.update(0x1234, seq, seq * 160, seq * 20);
    const pkt = buildRtcpReport({ ssrc: 0xabcdef01, packetsSent: 50, octetsSent: 8000, rtpTimestamp: 777 }, true, rx, null, 0, 'call-1@phonevoice');
    expect(pkt.length % 4).toBe(0);
    expect(isRtcp(pkt, pkt.length)).toBe(true);
    expect([pkt[0], pkt[1]]).toEqual([0x81, 200]);
    expect(pkt.readUInt32BE(4)).toBe(0xabcdef01);
    expect(pkt.readUInt32BE(20)).toBe(50);
    expect(pkt.readUInt32BE(24)).toBe(8000);
    // report block: remote SSRC, fraction lost 1/5 → 51, cumulative 1, highest seq 14
    expect(pkt.readUInt32BE(28)).toBe(0x1234);
    expect(pkt[32]).toBe(51);
    expect(pkt.readUIntBE(33, 3)).toBe(1);
    expect(pkt.readUInt32BE(36)).toBe(14);
    expect(pkt[52 + 1]).toBe(202);
    expect(pkt.subarray(62, 62 + pkt[61]!).toString()).toBe('call-1@phonevoice');
    expect(readSenderReport(pkt)?.ssrc).toBe(0xabcdef01);
  });

  it('send an RR without report block before anything was sent or received', () => {
    const pkt = buildRtcpReport({ ssrc: 1, packetsSent: 0, octetsSent: 0, rtpTimestamp: 0 }, false, null, null, 0, 'x');
    expect([pkt[0], pkt[1], pkt.readUInt16BE(2)]).toEqual([0x80, 201, 1]);
    expect(readSenderReport(pkt)).toBeNull();
    expect(readSenderReport(new Uint8Array([0x80, 200, 0xff, 0xff]))).toBeNull();
  });
});

describe('ReceiveStats', () => {
  it('counts loss across sequence wrap-around and ignores duplicates as loss', () => {
    const rx = new ReceiveStats(8000);
    const seqs = [65533, 65534, 65535, 1, 2, 2, 3]; // 0 lost, 2 duplicated
    seqs.forEach((seq, i) => rx.update(7, seq, i * 160, i * 20));
    expect(rx.expected).toBe(7);
    expect(rx.received).toBe(7);
    expect(rx.lost).toBe(0);
    expect(rx.extendedMaxSeq).toBe(65536 + 3);
  });

  it('measures interarrival jitter in ms per RFC 3550', () => {
    const steady = new ReceiveStats(8000);
    for (let i = 0; i < 100; i++) steady.update(1, i, i * 160, i * 20);
    expect(steady.jitterMs).toBe(0);
    const jittery = new ReceiveStats(8000);
    for (let i = 0; i < 500; i++) jittery.update(1, i, i * 160, i * 20 + (i % 2) * 4);
    // |D| = 4 ms every packet: J converges to 4 ms.
    expect(jittery.jitterMs).toBeGreaterThan(3.9);
    expect(jittery.jitterMs).toBeLessThan(4.01);
  });
});
