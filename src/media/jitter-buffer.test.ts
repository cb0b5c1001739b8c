import { describe, expect, it } from 'vitest';
import { JitterBuffer } from './jitter-buffer.js';

/** A packet whose samples all equal `level`, written through the buffer's decode callback. */
function put(jb: JitterBuffer, ts: number, level: number, marker = false, length = 160) {
  return jb.put(ts, length, marker, (ring, off, count) => ring.fill(level, off, off + count));
}

const levelsOf = (jb: JitterBuffer, frames: number) =>
  Array.from({ length: frames }, () => {
    const f = jb.pop();
    return f === null ? null : f[80];
  });

describe('JitterBuffer', () => {
  it('waits the configured delay, then plays frames in timestamp order despite reordering', () => {
    const jb = new JitterBuffer({ delayMs: 40 });
    const base = 4_294_967_000; // wraps past 2^32 during the test
    put(jb, base, 1);
    put(jb, base + 320, 3);
    put(jb, base + 160, 2);
    put(jb, base + 480, 4);
    expect(levelsOf(jb, 6)).toEqual([null, null, 1, 2, 3, 4]);
  });

  it('drops duplicates and late packets, and plays silence for what never came', () => {
    const jb = new JitterBuffer({ delayMs: 0 });
    expect(put(jb, 1000, 1)).toBe('stored');
    expect(put(jb, 1000, 9)).toBe('duplicate');
    expect(put(jb, 1320, 3)).toBe('stored');
    expect(levelsOf(jb, 3)).toEqual([1, 0, 3]);
    expect(put(jb, 1160, 2)).toBe('late');
    expect(jb.duplicates).toBe(1);
    expect(jb.late).toBe(1);
    expect(jb.concealedFrames).toBe(1);
  });

  it('splits 30 ms packets into 20 ms frames', () => {
    const jb = new JitterBuffer({ delayMs: 0 });
    put(jb, 0, 5, false, 240);
    put(jb, 240, 6, false, 240);
    const a = jb.pop()!.slice();
    const b = jb.pop()!.slice();
    const c = jb.pop()!.slice();
    expect([a[0], a[159], b[0], b[79], b[80], b[159], c[0], c[159]]).toEqual([5, 5, 5, 5, 6, 6, 6, 6]);
  });

  it('re-anchors after a timestamp jump (new talkspurt) instead of waiting seconds', () => {
    const jb = new JitterBuffer({ delayMs: 40 });
    put(jb, 0, 1);
    levelsOf(jb, 3);
    put(jb, 80_000, 7, true); // 10 s later in RTP time
    expect(levelsOf(jb, 3)).toEqual([0, 0, 7]);
  });

  it('recovers when the sender runs ahead of our playout point (consecutive late packets)', () => {
    const jb = new JitterBuffer({ delayMs: 0 });
    put(jb, 100_000, 1);
    levelsOf(jb, 1);
    for (let i = 0; i < 4; i++) put(jb, 50_000 + i * 160, 2); // far behind: 3 late, then resync
    expect(jb.late).toBe(3);
    expect(levelsOf(jb, 1)).toEqual([2]);
  });

  it('drains a standing backlog (fast sender clock, burst after a stall) back toward its target delay', () => {
    const jb = new JitterBuffer({ delayMs: 40 });
    // A 200 ms burst arrives at once, then one packet per frame: 10 frames of excess forever.
    let ts = 0;
    for (let i = 0; i < 10; i++, ts += 160) put(jb, ts, 1);
    for (let i = 0; i < 600; i++, ts += 160) {
      put(jb, ts, 1);
      jb.pop();
    }
    // One frame dropped per second of standing excess, until it is within three frames of the target.
    expect(jb.drained).toBeGreaterThanOrEqual(6);
    expect(jb.drained).toBeLessThanOrEqual(10);
    expect(jb.late + jb.duplicates).toBe(0);
  });

  it('leaves a buffer at its target depth alone', () => {
    const jb = new JitterBuffer({ delayMs: 60 });
    let ts = 0;
    for (let i = 0; i < 600; i++, ts += 160) {
      put(jb, ts, 1);
      jb.pop();
    }
    expect(jb.drained).toBe(0);
    expect(jb.concealedFrames).toBe(0);
  });
});
