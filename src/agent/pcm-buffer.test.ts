import { describe, expect, it } from 'vitest';
import { PcmBuffer, PcmRing } from './pcm-buffer.js';

describe('PcmBuffer', () => {
  it('holds no memory until a segment starts, grows by doubling, and lets go on clear()', () => {
    const b = new PcmBuffer(1000);
    expect(b.capacity).toBe(0);
    b.append(Int16Array.from({ length: 600 }, (_, i) => i));
    expect(b.capacity).toBe(1000);
    b.append(Int16Array.from({ length: 600 }, (_, i) => 600 + i));
    expect(b.capacity).toBe(2000);
    const taken = b.take();
    expect(taken.length).toBe(1200);
    expect(taken.every((s, i) => s === i)).toBe(true);
    b.clear();
    expect([b.length, b.capacity]).toEqual([0, 0]);
    expect(taken[1199]).toBe(1199); // take() handed out a copy
  });

  it('takes the pre-roll ring oldest first across its wrap', () => {
    const ring = new PcmRing(500);
    ring.push(Int16Array.from({ length: 700 }, (_, i) => i));
    const b = new PcmBuffer(100);
    ring.drainInto(b);
    expect(Array.from(b.take().subarray(0, 3))).toEqual([200, 201, 202]);
    expect(b.length).toBe(500);
  });
});
