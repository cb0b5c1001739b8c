import { describe, expect, it } from 'vitest';
import { Resampler, resampleOnce } from './resample.js';

function sine(freq: number, rate: number, n: number, amp = 10000): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate)));
}

/** Amplitude of `freq` in `x` by correlation with sin/cos (x long enough for whole cycles). */
function amplitude(x: Int16Array, freq: number, rate: number, skip = 200): number {
  let s = 0;
  let c = 0;
  const n = x.length - 2 * skip;
  for (let i = skip; i < skip + n; i++) {
    s += x[i]! * Math.sin((2 * Math.PI * freq * i) / rate);
    c += x[i]! * Math.cos((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(s, c)) / n;
}

describe('Resampler', () => {
  it('turns every 160-sample 8 kHz frame into exactly 320 samples at 16 kHz', () => {
    const r = new Resampler(8000, 16000);
    const frame = sine(440, 8000, 160);
    for (let i = 0; i < 50; i++) expect(r.process(frame).length).toBe(320);
  });

  it('keeps in-band tones at their level and frequency when upsampling 8→16 kHz', () => {
    const out = resampleOnce(sine(1000, 8000, 8000), 8000, 16000);
    expect(out.length).toBe(16000);
    expect(amplitude(out, 1000, 16000)).toBeGreaterThan(9500);
    // The image at 8 kHz − 1 kHz = 7 kHz must be filtered out.
    expect(amplitude(out, 7000, 16000)).toBeLessThan(100);
  });

  it('upsamples 8→16 kHz with a half-band filter: every other output is an input sample, 3.4 kHz within 1 dB', () => {
    let seed = 7;
    const input = Int16Array.from({ length: 800 }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 16000) - 8000);
    const out = resampleOnce(input, 8000, 16000);
    // The filter delays by a fixed number of input samples d: output 2·(i + d) is input i.
    const passesThrough = (d: number) => input.subarray(0, 300).every((x, i) => out[2 * (i + d)] === x);
    expect(Array.from({ length: 32 }, (_, d) => d).filter(passesThrough)).toHaveLength(1);
    expect(amplitude(resampleOnce(sine(3400, 8000, 8000), 8000, 16000), 3400, 16000)).toBeGreaterThan(10000 * 0.89);
  });

  it('gives the same 16 kHz stream whether 8 kHz audio arrives in frames of 160 or in odd-sized chunks', () => {
    const input = sine(700, 8000, 4000);
    const whole = new Resampler(8000, 16000).process(input).slice();
    const r = new Resampler(8000, 16000);
    const parts: number[] = [];
    for (let i = 0, size = 1; i < input.length; i += size, size = (size * 7) % 251 + 1) {
      parts.push(...r.process(input.subarray(i, Math.min(input.length, i + size))));
    }
    expect(parts.length).toBe(whole.length);
    expect(parts).toEqual(Array.from(whole));
  });

  it('downsamples 16→8 kHz (the unrolled path) with the filter\'s passband: in-band tones at level, whatever the chunking', () => {
    for (const hz of [300, 1000, 3000]) expect(amplitude(resampleOnce(sine(hz, 16000, 16000), 16000, 8000), hz, 8000)).toBeGreaterThan(hz === 3000 ? 9000 : 9900);
    // The same stream in odd chunks: the unrolled taps must see the same history as one pass.
    const input = sine(1234, 16000, 6000);
    const whole = new Resampler(16000, 8000).process(input).slice();
    const r = new Resampler(16000, 8000);
    const parts: number[] = [];
    for (let i = 0, size = 3; i < input.length; i += size, size = (size * 5) % 487 + 2) parts.push(...r.process(input.subarray(i, Math.min(input.length, i + size))));
    expect(parts).toEqual(Array.from(whole));
    // Symmetric taps: a time-reversed impulse response equals itself.
    const impulse = new Int16Array(200);
    impulse[100] = 30000;
    const h = Array.from(resampleOnce(impulse, 16000, 8000)).filter((x) => x !== 0);
    expect(h).toEqual([...h].reverse());
    expect(h.length).toBeGreaterThan(12);
  });

  it('keeps aliasing below −40 dB when downsampling 16→8 kHz (what the caller hears)', () => {
    const alias = resampleOnce(sine(4600, 16000, 16000), 16000, 8000);
    expect(amplitude(alias, 3400, 8000)).toBeLessThan(100);
  });

  it('removes content above the new Nyquist when downsampling 24→8 kHz (no aliasing)', () => {
    const inBand = resampleOnce(sine(1000, 24000, 24000), 24000, 8000);
    expect(inBand.length).toBe(8000);
    expect(amplitude(inBand, 1000, 8000)).toBeGreaterThan(9500);
    // 7 kHz at 24 kHz would alias to 1 kHz at 8 kHz without the low-pass.
    const alias = resampleOnce(sine(7000, 24000, 24000), 24000, 8000);
    expect(amplitude(alias, 1000, 8000)).toBeLessThan(100);
  });

  it('does not drift over odd ratios streamed in uneven chunks (22.05 kHz → 8 kHz)', () => {
    const r = new Resampler(22050, 8000);
    const input = sine(500, 22050, 22050 * 3);
    let produced = 0;
    for (let i = 0; i < input.length; i += 1000) produced += r.process(input.subarray(i, Math.min(input.length, i + 1000))).length;
    expect(Math.abs(produced - 24000)).toBeLessThanOrEqual(1);
  });

  it('passes audio through unchanged at equal rates and rejects nonsense rates', () => {
    const x = sine(300, 8000, 160);
    expect(Array.from(new Resampler(8000, 8000).process(x))).toEqual(Array.from(x));
    expect(() => new Resampler(0, 8000)).toThrow(RangeError);
    expect(() => new Resampler(8000.5, 8000)).toThrow(RangeError);
  });
});
