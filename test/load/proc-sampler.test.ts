import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcSampler, readCpuTicks, readRssKb } from '../../scripts/loadtest/proc-sampler.js';

describe('process sampler', () => {
  it('reads utime+stime even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 12345 1000 2000';
    expect(readCpuTicks(stat)).toBe(300);
    expect(readRssKb('Name:\tnode\nVmRSS:\t  51200 kB\nVmSwap:\t0 kB\n')).toBe(51200);
  });

  it('samples this process: the CPU it reports adds up to what Node itself counted', async () => {
    const before = process.cpuUsage();
    const sampler = new ProcSampler(process.pid, { intervalMs: 50 }).start();
    // Busy in 10 ms slices, yielding between them so the sampler's timer can fire: for 400 ms and
    // at least 5 samples (on a loaded box this process may not run for a few intervals; seen in CI).
    const start = performance.now();
    while (performance.now() < start + 400 || (sampler.samples.length < 5 && performance.now() < start + 10_000)) {
      const slice = performance.now() + 10;
      while (performance.now() < slice) Math.sqrt(Math.random());
      await new Promise((r) => setImmediate(r));
    }
    await sleep(60);
    const samples = sampler.stop();
    const used = process.cpuUsage(before);
    const usedMs = (used.user + used.system) / 1000;
    let sampledMs = 0;
    let lastT = 0;
    for (const s of samples) {
      sampledMs += (s.cpuPct / 100) * (s.tMs - lastT);
      lastT = s.tMs;
    }
    expect(samples.length).toBeGreaterThanOrEqual(4);
    // /proc counts in 10 ms ticks and the last interval is not sampled: generous bounds, but a
    // sampler that reads the wrong fields or divides wrongly is off by far more.
    expect(sampledMs).toBeGreaterThan(usedMs * 0.5 - 30);
    expect(sampledMs).toBeLessThan(usedMs * 1.5 + 30);
    expect(samples[0]!.rssMb).toBeGreaterThan(10);
  });

  it('samples a group of processes: totals are the sum of each one\'s share', async () => {
    const sampler = new ProcSampler([{ name: 'a', pid: process.pid }, { name: 'b', pid: process.pid }], { intervalMs: 50 }).start();
    const until = performance.now() + 200;
    while (performance.now() < until) {
      const slice = performance.now() + 10;
      while (performance.now() < slice) Math.sqrt(Math.random());
      await new Promise((r) => setImmediate(r));
    }
    const samples = sampler.stop();
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const s of samples) {
      expect(Object.keys(s.parts!)).toEqual(['a', 'b']);
      expect(s.cpuPct).toBeCloseTo(s.parts!.a!.cpuPct + s.parts!.b!.cpuPct, 6);
      expect(s.rssMb).toBeCloseTo(s.parts!.a!.rssMb + s.parts!.b!.rssMb, 6);
      expect(s.parts!.a!.rssMb).toBeGreaterThan(10);
    }
    expect(Math.max(...samples.map((s) => s.parts!.a!.cpuPct))).toBeGreaterThan(0);
  });
});
