import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcSampler, readCpuTicks, readRssKb } from '../../scripts/loadtest/proc-sampler.js';

describe('process sampler', () => {
  it('reads utime+stime even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 12345 1000 2000';
    expect(readCpuTicks(stat)).toBe(300);
    expect(readRssKb('Name:\tnode\nVmRSS:\t  51200 kB\nVmSwap:\t0 kB\n')).toBe(51200);
  });

  it('samples this process: a busy loop shows up as CPU, RSS is plausible', async () => {
    const sampler = new ProcSampler(process.pid, { intervalMs: 50 }).start();
    const until = performance.now() + 300;
    while (performance.now() < until) Math.sqrt(Math.random()); // keep one core busy
    await sleep(60);
    const samples = sampler.stop();
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...samples.map((s) => s.cpuPct))).toBeGreaterThan(20);
    expect(samples[0]!.rssMb).toBeGreaterThan(10);
  });
});
