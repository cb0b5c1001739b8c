import { describe, expect, it } from 'vitest';
import { PlayoutQueue } from './playout-queue.js';

const frame = () => new Int16Array(160);

describe('PlayoutQueue', () => {
  it('fires marks in order once the audio before them has been read out', () => {
    const q = new PlayoutQueue({ initialSeconds: 1 });
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
    const q = new PlayoutQueue({ initialSeconds: 1, maxSeconds: 4 });
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

  it('gives a long reply\'s memory back once it has played out, or was cleared', () => {
    const q = new PlayoutQueue({ initialSeconds: 1 });
    const f = frame();
    q.push(new Int16Array(8000 * 5).fill(3), 8000);
    expect(q.capacitySamples).toBe(8000 * 8);
    let heard = 0;
    while (q.read(f) > 0) heard += f.filter((s) => s === 3).length;
    expect(heard).toBe(8000 * 5);
    expect(q.capacitySamples).toBe(8000);
    q.mark('after');
    q.push(new Int16Array(8000 * 3).fill(4), 8000);
    expect(q.capacitySamples).toBe(8000 * 4);
    expect(q.clear()).toEqual(['after']);
    expect(q.capacitySamples).toBe(8000);
    q.push(new Int16Array(320).fill(5), 8000); // positions stay absolute across the shrink
    q.mark('next');
    const fired: string[] = [];
    q.read(f);
    q.read(f);
    q.takePlayedMarks((m) => fired.push(m));
    expect(fired).toEqual(['next']);
    expect(f.every((s) => s === 5)).toBe(true);
  });
});
