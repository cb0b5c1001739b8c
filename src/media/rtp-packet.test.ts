import { describe, expect, it } from 'vitest';
import { RtpHeader, readRtpHeader, writeRtpHeader } from './rtp-packet.js';

describe('RTP header', () => {
  it('writes and reads back every field, including 32-bit values above 2^31', () => {
    const p = new Uint8Array(172);
    writeRtpHeader(p, 8, true, 65535, 0xfffffff0, 0xdeadbeef);
    const h = new RtpHeader();
    expect(readRtpHeader(p, p.length, h)).toBe(true);
    expect({ ...h }).toEqual({ payloadType: 8, marker: true, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payloadOffset: 12, payloadLength: 160 });
    expect([p[0], p[1]]).toEqual([0x80, 0x88]);
  });

  it('skips CSRCs and header extensions and strips padding', () => {
    const p = new Uint8Array(12 + 8 + 8 + 4 + 4);
    writeRtpHeader(p, 0, false, 1, 2, 3);
    p[0] = 0x80 | 0x20 | 0x10 | 2; // padding, extension, 2 CSRCs
    p[12 + 8 + 3] = 1; // extension: one 32-bit word
    p[p.length - 1] = 4; // 4 bytes of padding
    const h = new RtpHeader();
    expect(readRtpHeader(p, p.length, h)).toBe(true);
    expect([h.payloadOffset, h.payloadLength]).toEqual([28, 4]);
  });

  it('rejects what a network peer might throw at it without throwing', () => {
    const h = new RtpHeader();
    expect(readRtpHeader(new Uint8Array(5), 5, h)).toBe(false);
    const v1 = new Uint8Array(20);
    v1[0] = 0x40;
    expect(readRtpHeader(v1, 20, h)).toBe(false);
    const rtcp = new Uint8Array(20);
    rtcp[0] = 0x80;
    rtcp[1] = 200;
    expect(readRtpHeader(rtcp, 20, h)).toBe(false);
    const badPad = new Uint8Array(14);
    badPad[0] = 0xa0;
    badPad[13] = 200;
    expect(readRtpHeader(badPad, 14, h)).toBe(false);
    const badCsrc = new Uint8Array(16);
    badCsrc[0] = 0x8f;
    expect(readRtpHeader(badCsrc, 16, h)).toBe(false);
  });
});
