import { describe, expect, it } from 'vitest';
import { MediaClock } from './clock.js';

describe('MediaClock', () => {
  it('runs every subscriber once per tick from one timer, in order, and stops when the last leaves', async () => {
    const clock = new MediaClock({ periodMs: 5 });
    const seen: string[] = [];
    const offA = clock.subscribe((t) => seen.push(`a${t}`));
    const offB = clock.subscribe((t) => seen.push(`b${t}`));
    await new Promise((r) => setTimeout(r, 40));
    offA();
    offB();
    expect(clock.subscribers).toBe(0);
    expect(seen.slice(0, 4)).toEqual(['a1', 'b1', 'a2', 'b2']);
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.length).toBe(count);
  });

  it('catches up on ticks missed while the event loop was blocked, so media time follows wall time', async () => {
    const clock = new MediaClock({ periodMs: 10, maxCatchUpTicks: 50 });
    const ticks: number[] = [];
    const off = clock.subscribe((t) => ticks.push(t));
    await new Promise((r) => setTimeout(r, 15));
    const until = Date.now() + 120;
    while (Date.now() < until); // block the loop for 12 ticks
    await new Promise((r) => setTimeout(r, 15));
    const elapsedTicks = Math.floor(clock.nowMs() / 10);
    off();
    // No tick skipped or repeated, and the count matches elapsed time (no drift).
    expect(ticks).toEqual(ticks.map((_, i) => i + 1));
    expect(Math.abs(ticks.length - elapsedTicks)).toBeLessThanOrEqual(1);
  });

  it('keeps going when a subscriber throws, reporting the error', async () => {
    const errors: unknown[] = [];
    const clock = new MediaClock({ periodMs: 5 }, (e) => errors.push(e));
    let good = 0;
    const off1 = clock.subscribe(() => {
      throw new Error('boom');
    });
    const off2 = clock.subscribe(() => good++);
    await new Promise((r) => setTimeout(r, 30));
    off1();
    off2();
    expect(good).toBeGreaterThan(1);
    expect(errors.length).toBe(good);
  });
});
