import { readFileSync } from 'node:fs';
import { daemonsMissing } from '../daemons/stack.js';
import { readCpuTicks } from '../loadtest/proc-sampler.js';
import { pct, round2 as round, startDrachtioEngine, startEmbeddedEngine, uac, type BenchEngine, type SippRun } from './_sip-load.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * The production engine under signalling load: SIPp places short calls (INVITE → 200 → ACK →
 * 50 ms → BYE) through real drachtio-server + FreeSWITCH to the drachtio engine, which answers
 * each with a FreeSWITCH endpoint and a mod_audio_fork socket (the full per-call setup), then
 * the same load against the embedded engine in the same run: the side-by-side figure.
 * CPU per call = CPU time of drachtio-server + FreeSWITCH + this process over the run / calls.
 * Calls with speech at load, per engine: the `engines` module.
 */
const cpuMs = (pid: number | undefined) => (pid ? readCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 10 : 0);

/** One SIPp run against a started engine; CPU time used by each of `pids` meanwhile. */
async function measured(target: BenchEngine, pids: Array<number | undefined>, calls: number, rate: number): Promise<{ run: SippRun; cpuMs: number[] }> {
  try {
    const before = pids.map(cpuMs);
    const run = await uac(target.sip, calls, rate);
    return { run, cpuMs: pids.map((p, i) => cpuMs(p) - before[i]!) };
  } finally {
    await target.stop();
  }
}

export default async function drachtioBench(opts: BenchOptions): Promise<BenchResult[]> {
  const name = 'drachtio+FreeSWITCH: inbound short calls (SIPp UAC → engine)';
  const missing = daemonsMissing();
  if (missing) return [{ name, value: NaN, unit: 'calls/s', note: `skipped: ${missing}` }];
  const calls = opts.quick ? 100 : 600;
  const rate = opts.quick ? 10 : 30;
  const drachtio = await startDrachtioEngine();
  opts.log(`drachtio: ${calls} short calls at ${rate} cps, SIPp UAC → drachtio-server → engine + FreeSWITCH`);
  const ours = await measured(drachtio, [drachtio.stack!.drachtio.pid, drachtio.stack!.freeswitch.pid, process.pid], calls, rate);
  opts.log(`drachtio: same load against the embedded engine`);
  const embedded = await measured(await startEmbeddedEngine({ min: 46000, max: 48000 }), [process.pid], calls, rate);
  const { run } = ours;
  const perCall = (ms: number, r: SippRun) => round(ms / Math.max(1, r.succeeded));
  return [{
    name, value: round(run.cps), unit: 'calls/s',
    baseline: { name: 'embedded engine, same load', value: round(embedded.run.cps), unit: 'calls/s' },
    ratio: round(run.cps / embedded.run.cps),
    p50: Math.round(pct(run.rtdMs, 50)), p95: Math.round(pct(run.rtdMs, 95)), p99: Math.round(pct(run.rtdMs, 99)),
    met: run.failed === 0 && run.succeeded === calls,
    note: `${run.succeeded}/${calls} ok, ${run.failed} failed at offered ${rate} cps; percentiles = INVITE→200 ms `
      + `(embedded: p50/p99 ${Math.round(pct(embedded.run.rtdMs, 50))}/${Math.round(pct(embedded.run.rtdMs, 99))} ms, ${embedded.run.failed} failed); `
      + `CPU per call: drachtio-server ${perCall(ours.cpuMs[0]!, run)} ms + FreeSWITCH ${perCall(ours.cpuMs[1]!, run)} ms + node ${perCall(ours.cpuMs[2]!, run)} ms `
      + `vs embedded node ${perCall(embedded.cpuMs[0]!, embedded.run)} ms`,
  }];
}
