import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLoadtestArgs } from '../loadtest/args.js';
import { runLoadtest } from '../loadtest/run.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * `npm run bench` module: a small inbound load test against a spawned PhoneVoice with fake
 * providers (quick: 10 calls × 8 s; full: 30 calls × 20 s), beside the SIPp↔SIPp baseline.
 */
export default async function loadtestBench(opts: BenchOptions): Promise<BenchResult[]> {
  const out = await mkdtemp(join(tmpdir(), 'pv-bench-load-'));
  const [calls, rate, duration] = opts.quick ? [10, 5, 8] : [30, 5, 20];
  try {
    const o = parseLoadtestArgs(['--scenario', 'inbound', '--spawn', '--calls', String(calls), '--rate', String(rate),
      '--duration', String(duration), '--out', out, '--quiet']);
    const report = await runLoadtest(o, { log: opts.log });
    return report.figures.map((f) => ({ ...f, name: f.name.replace(/^inbound:/, 'load inbound:') }));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
