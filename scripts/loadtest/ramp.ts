import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LoadtestOptions } from './args.js';
import { renderRampChart } from './charts.js';
import { JITTER_TARGET_MS } from './figures.js';
import type { LoadtestReport } from './report.js';
import { runLoadtest, type RunLoadtestHooks } from './run.js';
import { fmt } from './stats.js';

export interface RampStep {
  concurrency: number;
  ok: number;
  failed: number;
  jitterP99Ms: number | null;
  /** Same step, SIPp↔SIPp: how much of the jitter the machine itself adds. */
  baselineJitterP99Ms: number | null;
  cpuMean: number | null;
  rssMaxMb: number | null;
  memoryPerCallMb: number | null;
  passed: boolean;
  why: string;
}

export interface RampReport {
  steps: RampStep[];
  /** Highest concurrency that passed (no failed call, outbound jitter p99 ≤ 5 ms); null if none did. */
  kneeCalls: number | null;
  stoppedAt: number | null;
}

export function judgeStep(concurrency: number, r: LoadtestReport): RampStep {
  const run = r.run;
  const jitter = run.rtp?.toSipp.jitterMs.p99 ?? null;
  const failed = run.sipp.failed + (run.api?.rejected ?? 0);
  const perCall = r.figures.find((f) => f.name.endsWith('memory per call'))?.value ?? null;
  let why = 'ok';
  if (failed > 0) why = `${failed} call(s) failed`;
  else if (run.sipp.succeeded < concurrency) why = `only ${run.sipp.succeeded} of ${concurrency} calls completed`;
  else if (jitter === null) why = 'no RTP capture, jitter unknown';
  else if (jitter > JITTER_TARGET_MS) why = `jitter p99 ${fmt(jitter)} ms > ${JITTER_TARGET_MS} ms`;
  return {
    concurrency, ok: run.sipp.succeeded, failed, jitterP99Ms: jitter,
    baselineJitterP99Ms: r.baseline?.rtp?.toSipp.jitterMs.p99 ?? null, cpuMean: run.cpuPct?.mean ?? null,
    rssMaxMb: run.rssMb?.max ?? null, memoryPerCallMb: perCall, passed: why === 'ok', why,
  };
}

/** Steps concurrency up (a fresh server per step) until a call fails or outbound jitter p99 passes 5 ms. */
export async function runRamp(opts: LoadtestOptions, hooks: RunLoadtestHooks): Promise<RampReport> {
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  const steps: RampStep[] = [];
  let stoppedAt: number | null = null;
  for (const concurrency of opts.ramp) {
    if (hooks.signal?.aborted) break;
    // Reach the step's concurrency within ~10 s, and hold every call long enough to overlap.
    const rate = Math.max(opts.rate, concurrency / 10);
    const durationS = Math.max(opts.durationS, concurrency / rate + 5);
    hooks.log(`ramp step: ${concurrency} concurrent calls (${fmt(rate, 1)} cps, ${fmt(durationS, 0)} s each)`);
    const report = await runLoadtest(
      {
        ...opts, ramp: [], calls: concurrency, concurrency, rate, durationS, 
        out: join(out, `step-${concurrency}`), maxWallMs: (concurrency / rate + durationS + 90) * 1000,
      },
      hooks,
    );
    const step = judgeStep(concurrency, report);
    steps.push(step);
    hooks.log(`ramp step ${concurrency}: ${step.why}; cpu ${fmt(step.cpuMean, 0)} %, rss ${fmt(step.rssMaxMb, 0)} MB`);
    if (!step.passed && stoppedAt === null) stoppedAt = concurrency;
    if (!step.passed && !opts.rampAll) break;
  }
  const firstFail = steps.findIndex((s) => !s.passed);
  const passed = firstFail === -1 ? steps : steps.slice(0, firstFail);
  const ramp: RampReport = { steps, kneeCalls: passed.at(-1)?.concurrency ?? null, stoppedAt };
  await writeFile(join(out, 'ramp.json'), `${JSON.stringify(ramp, null, 2)}\n`);
  const chart = await renderRampChart(out, steps).then((p) => p, (err: Error) => `(chart not drawn: ${err.message})`);
  await writeFile(join(out, 'ramp.md'), renderRampMarkdown(ramp, chart));
  return ramp;
}

export function renderRampMarkdown(r: RampReport, chart: string): string {
  const rows = r.steps.map((s) =>
    `| ${s.concurrency} | ${s.ok} | ${s.failed} | ${fmt(s.jitterP99Ms)} | ${fmt(s.baselineJitterP99Ms)} | ${fmt(s.cpuMean, 0)} | ${fmt(s.rssMaxMb, 0)} | ${fmt(s.memoryPerCallMb, 3)} | ${s.passed ? 'yes' : 'NO'} | ${s.why} |`);
  return [
    '# Ramp', '',
    `Knee: **${r.kneeCalls ?? 'none'}** concurrent calls${r.stoppedAt ? ` (first failed step: ${r.stoppedAt})` : ''}; criterion: no failed call and outbound RTP jitter p99 ≤ ${JITTER_TARGET_MS} ms.`,
    '', '| calls | ok | failed | jitter p99 ms | SIPp↔SIPp jitter p99 ms | CPU % | RSS MB | MB per call | passed | why |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |', ...rows, '',
    'Each step is a fresh server and its own SIPp↔SIPp baseline with the same load (unless --no-baseline).', '',
    chart.endsWith('.png') ? '![ramp](ramp.png)' : chart, '',
  ].join('\n');
}
