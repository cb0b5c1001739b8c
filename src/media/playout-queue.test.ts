import { afterEach, describe, expect, it, vi } from 'vitest';
import { Resampler } from '../audio/resample.js';
import { PlayoutQueue } from './playout-queue.js';

const frame = () => new Int16Array(160);

describe('PlayoutQueue', () => {
  it('fires marks in order once the audio before them has been read out', () => {
    const q = new PlayoutQueue();
    const fired: string[] = [];
    q.mark('before-anything');
    q.push(new Int16Array(200).fill(100), 8000);
    q.mark('a');
    q.push(new Int16Array(100).fill(200), 8000);
    q.mark('b');
    expect(q.queuedMs()).toBe(37.5);
    const f = frame();
    expect(q.read(f)).toBe(160);
    q.takePlayedMarks((m) => fired.push(m));
    expect(fired).toEqual(['before-anything']);
    expect(q.read(f)).toBe(140);
    expect([f[39], f[40], f[139], f[140], f[159]]).toEqual([100, 200, 200, 0, 0]);
    q.takePlayedMarks((m) => fired.push(m));
    expect(fired).toEqual(['before-anything', 'a', 'b']);
  });

  it('clear() empties the queue at once and hands back the marks that will never play', () => {
    const q = new PlayoutQueue();
    q.push(new Int16Array(8000).fill(500), 8000);
    q.mark('end-of-sentence');
    expect(q.clear()).toEqual(['end-of-sentence']);
    const f = frame();
    expect(q.read(f)).toBe(0);
    expect(f.every((s) => s === 0)).toBe(true);
    expect(q.queuedMs()).toBe(0);
  });

  it('grows past its initial size without losing order, and drops beyond its maximum', () => {
    const q = new PlayoutQueue({ maxSeconds: 4 });
    const f = frame();
    q.push(new Int16Array(6000).fill(1), 8000);
    q.read(f); // move the read position so growth must unwrap the ring
    q.push(new Int16Array(6000).fill(2), 8000);
    expect(q.queuedSamples).toBe(11840);
    let ones = 0;
    let twos = 0;
    while (q.read(f) > 0) for (const s of f) s === 1 ? ones++ : s === 2 ? twos++ : 0;
    expect([ones, twos]).toEqual([5840, 6000]);
    q.push(new Int16Array(40000), 8000);
    expect(q.queuedSamples).toBe(32000);
    expect(q.dropped).toBe(8000);
  });

  it('resamples what it is given to the line rate', () => {
    const q = new PlayoutQueue();
    q.push(new Int16Array(2400), 24000);
    q.push(new Int16Array(1600), 16000);
    expect(q.queuedMs()).toBe(200);
    expect(() => q.push(new Int16Array(10), 0)).toThrow(RangeError);
  });

  it('holds a long reply as given, not as a second copy at the line rate, and keeps positions absolute across clears', () => {
    const q = new PlayoutQueue();
    const f = frame();
    const reply = new Int16Array(16000 * 5).fill(3000); // 5 s of a 16 kHz voice
    q.push(reply, 16000);
    q.mark('after');
    let frames = 0;
    let most = 0;
    while (q.read(f) > 0) {
      frames++;
      most = Math.max(most, q.capacitySamples);
    }
    expect(frames).toBeGreaterThanOrEqual(249); // 5 s less the filter's delay, in 20 ms frames
    expect(most).toBeLessThanOrEqual(1024);
    const fired: string[] = [];
    q.takePlayedMarks((m) => fired.push(m));
    expect(fired).toEqual(['after']);
    q.push(new Int16Array(8000 * 3).fill(4), 8000); // at the line rate: held as given too
    expect(q.read(f)).toBe(160);
    expect(q.capacitySamples).toBeLessThanOrEqual(1024);
    q.mark('cut');
    expect(q.clear()).toEqual(['cut']);
    q.push(new Int16Array(320).fill(5), 8000);
    q.mark('next');
    q.read(f);
    q.read(f);
    q.takePlayedMarks((m) => fired.push(m));
    expect(fired).toEqual(['after', 'next']);
    expect(f.every((s) => s === 5)).toBe(true);
  });

  describe('resamples only what plays', () => {
    afterEach(() => vi.restoreAllMocks());

    it('a reply cut after 100 ms costs about 100 ms of resampling, not the whole reply', () => {
      const process = vi.spyOn(Resampler.prototype, 'process');
      const q = new PlayoutQueue();
      const f = frame();
      for (let i = 0; i < 70; i++) q.push(new Int16Array(1600).fill(i), 16000); // 7 s in 100 ms chunks, as a TTS hands it over
      q.mark('end');
      expect(q.queuedMs()).toBe(7000);
      for (let i = 0; i < 5; i++) expect(q.read(f)).toBe(160);
      const resampled = process.mock.calls.reduce((n, [input, length]) => n + (length ?? input.length), 0);
      expect(resampled).toBeGreaterThanOrEqual(5 * 320);
      expect(resampled).toBeLessThanOrEqual(5 * 320 + 2 * 480); // what played, plus at most two passes ahead
      expect(q.clear()).toEqual(['end']);
      expect(process.mock.calls.length).toBeLessThanOrEqual(6);
    });

    it('plays the same samples, with marks at the same places, as resampling every chunk on arrival', () => {
      const chunks = [1600, 333, 4800, 17, 2000].map((n, c) => Int16Array.from({ length: n }, (_, i) => Math.round(9000 * Math.sin((i + 7 * c) / 5) + 3000 * Math.sin(i / 1.3))));
      // On arrival: one resampler, every chunk at once, marks at the line samples written so far.
      const eager = new Resampler(16000, 8000);
      const expected: number[] = [];
      const expectedMarks: Array<[string, number]> = [];
      chunks.forEach((c, i) => {
        for (let o = 0; o < c.length; o += 480) expected.push(...eager.process(c.subarray(o, Math.min(c.length, o + 480))));
        expectedMarks.push([`m${i}`, expected.length]);
      });
      const q = new PlayoutQueue();
      chunks.forEach((c, i) => {
        q.push(c, 16000);
        q.mark(`m${i}`);
      });
      const f = frame();
      const heard: number[] = [];
      const marks: Array<[string, number]> = [];
      for (let real; (real = q.read(f)) > 0;) {
        heard.push(...f.subarray(0, real));
        q.takePlayedMarks((m) => marks.push([m, heard.length]));
      }
      expect(heard).toEqual(expected);
      // A mark fires with the frame that completes its audio: at its position, rounded up to a frame.
      expect(marks.map(([m]) => m)).toEqual(expectedMarks.map(([m]) => m));
      marks.forEach(([, at], i) => {
        const position = expectedMarks[i]![1];
        expect(at).toBeGreaterThanOrEqual(position);
        expect(at - position).toBeLessThan(160);
      });
    });
  });
});
