import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadtestOptions } from './args.js';
import { renderRampChart } from './charts.js';
import type { LoadRunResult } from './drive.js';
import { ENGINES, type EngineName } from './engine.js';
import { JITTER_TARGET_MS } from './figures.js';
import { byProcess, cpuParts, judgeStep, kneeOf, renderRampMarkdown, stepOptions, type RampReport, type RampStep } from './ramp.js';
import { runLoadtest, type RunLoadtestHooks } from './run.js';
import { fmt } from './stats.js';

/** Both engines' ramps, step by step, judged against the one SIPp↔SIPp baseline each step ran. */
export interface EngineRampReport {
  engines: Record<EngineName, RampReport>;
  /** The knee on calls, jitter, loss and voice-to-voice alone: RAM per call is budgeted, not a limit of the engine's media. */
  kneeBeforeMemory: Record<EngineName, number | null>;
  /** Why an engine stopped early (it could not start, or most of a step's calls failed). */
  stopped: Partial<Record<EngineName, string>>;
  loadavg: number[];
}

/**
 * The capacity ramp for the embedded and the drachtio+FreeSWITCH engine in the same run: per
 * step, the SIPp↔SIPp baseline, then the same load against a fresh server on each engine, back
 * to back, so that a shared, noisy host loads all three alike. Every step runs (the curves past
 * the knee are what an operator sizes on); an engine is left out of later steps only when it
 * could not run a step or lost most of its calls. Writes engines.md/.json and, per engine,
 * ramp.md/ramp.png under `<out>/<engine>/`.
 */
export async function runEngineRamp(opts: LoadtestOptions, hooks: RunLoadtestHooks): Promise<EngineRampReport> {
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  const steps: Record<EngineName, RampStep[]> = { embedded: [], drachtio: [] };
  const stopped: EngineRampReport['stopped'] = {};
  for (const concurrency of opts.ramp) {
    const step = stepOptions(opts, concurrency, join(out, `step-${concurrency}`));
    let baseline: LoadRunResult | null = null;
    for (const engine of ENGINES) {
      if (hooks.signal?.aborted || stopped[engine]) continue;
      hooks.log(`engines step ${concurrency}: ${engine} engine (${fmt(step.rate, 1)} cps, ${fmt(step.durationS, 0)} s each)`);
      try {
        const report = await runLoadtest({ ...step, engine, baseline: opts.baseline && baseline === null, out: join(step.out, engine) }, hooks);
        baseline ??= report.baseline;
        const judged = judgeStep(concurrency, { ...report, baseline }, steps[engine][0] ?? null);
        steps[engine].push(judged);
        hooks.log(`engines step ${concurrency}, ${engine}: ${judged.why}; cpu ${fmt(judged.cpuSteadyPct, 0)} %${cpuParts(judged)}`);
        if (judged.failed > concurrency / 2) stopped[engine] = `${judged.failed} of ${concurrency} calls failed at ${concurrency}`;
      } catch (err) {
        stopped[engine] = `step ${concurrency} did not run: ${(err as Error).message.split('\n')[0]}`;
        hooks.log(`engines step ${concurrency}, ${engine}: ${stopped[engine]}`);
      }
    }
  }
  const engines = Object.fromEntries(ENGINES.map((e) => [e, {
    steps: steps[e], kneeCalls: kneeOf(steps[e]), stoppedAt: steps[e].find((s) => !s.passed)?.concurrency ?? null,
  }])) as Record<EngineName, RampReport>;
  for (const e of ENGINES) {
    const dir = join(out, e);
    await mkdir(dir, { recursive: true });
    const chart = await renderRampChart(dir, engines[e].steps).then((p) => p, (err: Error) => `(chart not drawn: ${err.message})`);
    await writeFile(join(dir, 'ramp.md'), renderRampMarkdown(engines[e], chart));
  }
  const kneeBeforeMemory = Object.fromEntries(ENGINES.map((e) => [e, kneeOf(steps[e], ['memory'])])) as Record<EngineName, number | null>;
  const report: EngineRampReport = { engines, kneeBeforeMemory, stopped, loadavg: loadavg().map((l) => Math.round(l * 10) / 10) };
  await writeFile(join(out, 'engines.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(out, 'engines.md'), renderEngineRampMarkdown(report, opts));
  return report;
}

export function renderEngineRampMarkdown(r: EngineRampReport, o: Pick<LoadtestOptions, 'ramp' | 'durationS' | 'fsRealtime'>): string {
  const rows = o.ramp.flatMap((calls) => ENGINES.map((e) => [e, r.engines[e].steps.find((s) => s.concurrency === calls)] as const)
    .filter((x): x is readonly [EngineName, RampStep] => x[1] !== undefined)
    .map(([e, s]) => `| ${s.concurrency} | ${e} | ${s.ok} / ${s.failed} | ${fmt(s.jitterP99Ms)} (${fmt(s.baselineJitterP99Ms)}) | ${fmt(s.lossPct, 3)} | `
      + `${fmt(s.cpuSteadyPct, 0)}${cpuParts(s)} | ${fmt(s.cpuPerCallPct, 2)} | ${fmt(s.rssMaxMb, 0)}${byProcess(s.rssMaxByProcess)} | ${fmt(s.memoryPerCallMb, 2)} | `
      + `${s.voiceToVoiceMs ? `${s.voiceToVoiceMs.p50} / ${s.voiceToVoiceMs.p95}` : 'n/a'} | ${fmt(s.voiceToVoiceAddedMs, 0)} | ${s.passed ? 'yes' : `NO: ${s.why}`} |`));
  return [
    '# Capacity ramp, both engines', '',
    ...ENGINES.map((e) => `- ${e}: knee **${r.engines[e].kneeCalls ?? 'none'}** concurrent calls; leaving out RSS per call: **${r.kneeBeforeMemory[e] ?? 'none'}**`
      + `${r.stopped[e] ? ` (stopped: ${r.stopped[e]})` : ''}`), '',
    `Steps ${o.ramp.join(', ')}; each call held at least ${o.durationS} s. Per step: one SIPp↔SIPp baseline, then a fresh server on each engine with the same load. `
      + `Criterion: no failed call, outbound jitter p99 ≤ ${JITTER_TARGET_MS} ms or ≤ the step's SIPp↔SIPp, no loss, ≤ 1 MB RSS per call (over the RSS after the warm-up calls), voice-to-voice p95 ≤ 30 ms over the engine's first step. `
      + `FreeSWITCH ${o.fsRealtime ? 'with its realtime (SCHED_FIFO) media threads' : 'with -np (ordinary scheduling, as docker-compose deploys it)'}. CPU: % of one core with every call up; CPU and RSS for drachtio: the sum of node + drachtio-server + FreeSWITCH (each in brackets). Load average at the end: ${r.loadavg.join(' / ')}.`, '',
    '| calls | engine | ok / failed | jitter p99 ms (SIPp↔SIPp) | loss % | CPU % | CPU % per call | RSS MB | MB per call | voice-to-voice p50 / p95 ms | added p95 ms | passed |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |', ...rows, '',
  ].join('\n');
}
