import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from '../loadtest/ports.js';
import { pct, round2 as round, runSipp, startEmbeddedEngine, uac, type SippRun } from './_sip-load.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * Signalling throughput of the embedded engine: a SIPp UAC places short calls (INVITE → 200 →
 * ACK → 50 ms → BYE, no RTP) against the engine, then against SIPp's built-in UAS at the same
 * rate in the same run. Calls per second completed, failures, and INVITE→200 percentiles.
 */
const TARGET_CPS = 100;

export default async function sipBench(opts: BenchOptions): Promise<BenchResult[]> {
  // Offered above the 100 cps target so a shortfall shows; ~10 s of calls per run in the full set.
  const calls = opts.quick ? 400 : 3000;
  const rate = opts.quick ? 150 : 300;
  const ours = await (async (): Promise<SippRun> => {
    const embedded = await startEmbeddedEngine({ min: 42000, max: 46000 });
    try {
      opts.log(`sip: ${calls} short calls at ${rate} cps, SIPp UAC → embedded engine`);
      return await uac(embedded.sip, calls, rate);
    } finally {
      await embedded.stop();
    }
  })();
  opts.log(`sip: same load, SIPp UAC → SIPp built-in UAS (baseline)`);
  const uasPort = await freeUdpPort();
  const uasDir = await mkdtemp(join(tmpdir(), 'pv-bench-uas-'));
  const uas = runSipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin', '-m', String(calls), '-timeout', `${Math.ceil(calls / rate) + 25}s`], uasDir, (calls / rate + 40) * 1000);
  await new Promise((r) => setTimeout(r, 300));
  const base = await uac(`127.0.0.1:${uasPort}`, calls, rate);
  await uas;
  await rm(uasDir, { recursive: true, force: true });

  const met = ours.cps >= TARGET_CPS && ours.failed === 0 && ours.succeeded === calls;
  return [
    {
      name: 'sip: inbound short calls (SIPp UAC → engine)', value: round(ours.cps), unit: 'calls/s',
      p50: round(pct(ours.rtdMs, 50)), p95: round(pct(ours.rtdMs, 95)), p99: round(pct(ours.rtdMs, 99)),
      baseline: { name: 'SIPp UAC → SIPp UAS', value: round(base.cps), unit: 'calls/s' },
      ratio: round(ours.cps / base.cps), target: `≥ ${TARGET_CPS} cps, 0 failed`, met,
      note: `${ours.succeeded}/${calls} ok, ${ours.failed} failed at offered ${rate} cps; percentiles = INVITE→200 ms (baseline p50/p99 ${round(pct(base.rtdMs, 50))}/${round(pct(base.rtdMs, 99))} ms, ${base.failed} failed); ratio = engine/baseline`,
    },
  ];
}
