import { describe, expect, it } from 'vitest';
import {
  ALAW_DECODE, ALAW_ENCODE, ALAW_SILENCE, PCMA, PCMU, ULAW_DECODE, ULAW_ENCODE, ULAW_SILENCE, g711Decode, g711Encode,
} from './g711.js';

/** Continuous companding laws of G.711 (the curves the segmented codes approximate). */
const MU = 255;
const A = 87.6;
const muLaw = (x: number) => Math.sign(x) * Math.log1p(MU * Math.abs(x)) / Math.log1p(MU);
const aLaw = (x: number) => {
  const ax = Math.abs(x);
  const y = ax < 1 / A ? (A * ax) / (1 + Math.log(A)) : (1 + Math.log(A * ax)) / (1 + Math.log(A));
  return Math.sign(x) * y;
};

describe('G.711 tables', () => {
  it('decode the published reference points', () => {
    expect(ULAW_DECODE[0x00]).toBe(-32124);
    expect(ULAW_DECODE[0x80]).toBe(32124);
    expect(ULAW_DECODE[0xff]).toBe(0);
    expect(ULAW_DECODE[0x7f]).toBe(0);
    expect(ALAW_DECODE[0xd5]).toBe(8);
    expect(ALAW_DECODE[0x55]).toBe(-8);
    expect(ALAW_DECODE[0xaa]).toBe(32256);
    expect(ALAW_DECODE[0x2a]).toBe(-32256);
    expect(ULAW_SILENCE).toBe(0xff);
    expect(ALAW_SILENCE).toBe(0xd5);
  });

  it('encode every code back to itself (the decoded value is the centre of its step)', () => {
    for (let code = 0; code < 256; code++) {
      if (code === 0x7f) continue; // μ-law has two zeros; 0 encodes as the positive one, 0xff
      expect(ULAW_ENCODE[ULAW_DECODE[code]! & 0xffff]).toBe(code);
      expect(ALAW_ENCODE[ALAW_DECODE[code]! & 0xffff]).toBe(code);
    }
  });

  it('follow the continuous μ-law and A-law curves within one quantisation step', () => {
    for (let s = -32768; s < 32768; s += 7) {
      const x = s / 32768;
      const mu = ULAW_DECODE[ULAW_ENCODE[s & 0xffff]!]! / 32768;
      const a = ALAW_DECODE[ALAW_ENCODE[s & 0xffff]!]! / 32768;
      // 8-bit codes: 128 levels per polarity on the companded axis.
      expect(Math.abs(muLaw(mu) - muLaw(x))).toBeLessThan(1.01 / 128 + 1e-3);
      expect(Math.abs(aLaw(a) - aLaw(x))).toBeLessThan(1.01 / 128 + 1e-3);
    }
  });

  it('round-trip a speech-level sine at the SNR G.711 is known for (~38 dB)', () => {
    const n = 8000;
    const pcm = new Int16Array(n);
    for (let i = 0; i < n; i++) pcm[i] = Math.round(10000 * Math.sin((2 * Math.PI * 1013 * i) / 8000));
    for (const tables of [PCMU, PCMA]) {
      const codes = new Uint8Array(n);
      const back = new Int16Array(n);
      g711Encode(tables, pcm, n, codes, 0);
      g711Decode(tables, codes, 0, n, back, 0);
      let sig = 0;
      let err = 0;
      for (let i = 0; i < n; i++) {
        sig += pcm[i]! ** 2;
        err += (pcm[i]! - back[i]!) ** 2;
      }
      const snr = 10 * Math.log10(sig / err);
      expect(snr).toBeGreaterThan(35);
      expect(snr).toBeLessThan(42);
    }
  });
});
