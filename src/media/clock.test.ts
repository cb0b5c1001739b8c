import { describe, expect, it } from 'vitest';
import { MediaClock } from './clock.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MediaClock', () => {
  it('runs all sends of a slot before its receives, ticks every subscriber once per period, and stops when the last leaves', async () => {
    const clock = new MediaClock({ periodMs: 8, slots: 1, maxCatchUpTicks: 1000 }); // a GC pause must not skip ticks here
    const seen: string[] = [];
    const offA = clock.subscribe({ send: (t) => seen.push(`a-send${t}`), receive: (t) => seen.push(`a-recv${t}`) });
    const offB = clock.subscribe({ send: (t) => seen.push(`b-send${t}`) });
    await pause(40);
    offA();
    offB();
    offB(); // unsubscribing twice is harmless
    expect(clock.subscribers).toBe(0);
    expect(seen.slice(0, 6)).toEqual(['a-send1', 'b-send1', 'a-recv1', 'a-send2', 'b-send2', 'a-recv2']);
    const count = seen.length;
    await pause(20);
    expect(seen.length).toBe(count);
  });

  it('spreads subscribers over staggered slots, each still ticking once per period', async () => {
    const clock = new MediaClock({ periodMs: 20, slots: 4, maxCatchUpTicks: 1000 });
    const ticks: number[][] = [[], [], [], [], []];
    const offs = ticks.map((t) => clock.subscribe({ send: (n) => t.push(n) }));
    await pause(130);
    offs.forEach((off) => off());
    for (const t of ticks) {
      expect(t.length).toBeGreaterThanOrEqual(4);
      expect(t).toEqual(t.map((_, i) => t[0]! + i)); // consecutive, no double ticks
    }
  });

  it('catches up on ticks missed while the event loop was blocked, so media time follows wall time', async () => {
    const clock = new MediaClock({ periodMs: 10, slots: 2, maxCatchUpTicks: 50 });
    const ticks: number[] = [];
    const off = clock.subscribe({ send: (t) => ticks.push(t) });
    await pause(15);
    const until = Date.now() + 120;
    while (Date.now() < until); // block the loop for 12 periods
    await pause(15);
    const elapsedTicks = Math.floor(clock.nowMs() / 10);
    off();
    expect(ticks).toEqual(ticks.map((_, i) => ticks[0]! + i));
    expect(Math.abs(ticks.at(-1)! - elapsedTicks)).toBeLessThanOrEqual(1);
  });

  it('keeps going when a subscriber throws, reporting the error', async () => {
    const errors: unknown[] = [];
    const clock = new MediaClock({ periodMs: 5, slots: 1 }, (e) => errors.push(e));
    let good = 0;
    const off1 = clock.subscribe({
      send: () => {
        throw new Error('boom');
      },
    });
    const off2 = clock.subscribe({ send: () => good++ });
    await pause(30);
    off1();
    off2();
    expect(good).toBeGreaterThan(1);
    expect(errors.length).toBe(good);
  });
});
