import { describe, expect, it } from 'vitest';
import { SilenceGate } from './silence-gate.js';

const frame = (value: number): Int16Array => new Int16Array(8).fill(value);

describe('SilenceGate', () => {
  it('sends loud frames and the hangover, skips the rest of the silence, replays the newest skipped frames oldest first', () => {
    const gate = new SilenceGate(8, { floorRms: 10, hangoverFrames: 2, preRollFrames: 2 });
    const replayed: number[] = [];
    const admit = (f: Int16Array): boolean => gate.admit(f, (held) => replayed.push(held[0]!));
    expect(admit(frame(1000))).toBe(true);
    // Quiet frames carry their index in the first sample (still under the floor).
    const quiet = [1, 2, 3, 4, 5].map((i) => admit(new Int16Array(8).fill(0).fill(i, 0, 1)));
    expect(quiet).toEqual([true, true, false, false, false]);
    expect(gate.skipped).toBe(3);
    expect(replayed).toEqual([]);
    expect(admit(frame(-2000))).toBe(true);
    expect(replayed).toEqual([4, 5]);
  });

  it('counts room tone above the floor as sound, and reset() restarts the hangover', () => {
    const gate = new SilenceGate(8, { floorRms: 10, hangoverFrames: 1, preRollFrames: 1 });
    const none = (): void => {};
    expect(gate.admit(frame(12), none)).toBe(true);
    expect(gate.admit(frame(12), none)).toBe(true);
    expect(gate.admit(frame(0), none)).toBe(true);
    expect(gate.admit(frame(0), none)).toBe(false);
    gate.reset();
    expect(gate.admit(frame(0), none)).toBe(true);
  });
});
