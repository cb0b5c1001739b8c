import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LoadtestOptions } from './args.js';
import type { TimelinePoint } from './drive.js';
import { renderRampChart } from './charts.js';
import { callsLeftOpen, JITTER_TARGET_MS, type VoiceToVoicePercentiles } from './figures.js';
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
  /** Loss of the RTP the server sent (capture on lo), and SIPp's own in the baseline. */
  lossPct: number | null;
  baselineLossPct: number | null;
  cpuMean: number | null;
  /** Server CPU (% of one core, all threads) while every call of the step was up. */
  cpuSteadyPct: number | null;
  cpuPerCallPct: number | null;
  /** Drachtio engine: node, drachtio-server and FreeSWITCH each (cpuSteadyPct is their sum). */
  cpuSteadyByProcess?: Record<string, number> | null;
  /** The SIPp callee at the same load, same window. */
  baselineCpuSteadyPct: number | null;
  rssMaxMb: number | null;
  /** Drachtio engine: each process's peak RSS (rssMaxMb is the peak of their sum). */
  rssMaxByProcess?: Record<string, number> | null;
  /**
   * (peak RSS − RSS at start) ÷ calls, the start read after the spawned server's warm-up calls
   * (so what the first calls load once is not counted): the figure judged.
   */
  memoryPerCallMb: number | null;
  /**
   * Peak RSS over the first step's, per call added since (reported, not judged: it compares
   * peaks of two server processes, which differ by ±30 MB run to run, ±1 MB per call at 25 calls apart).
   */
  memoryMarginalMb: number | null;
  /** Over every turn of the step (GET /v1/analytics: p50/p90/p95/p99). */
  voiceToVoiceMs: VoiceToVoicePercentiles | null;
  /** p95 over the first step's p95: what the load added (issue 14's figure is p95). */
  voiceToVoiceAddedMs: number | null;
  /** VAD lag p95 over the step (upper edge of its `/metrics` histogram bucket), ms: what grows first past capacity. Reported, not judged. */
  vadLagP95Ms?: number | null;
  passed: boolean;
  /** The first criterion missed, or 'ok'. */
  why: string;
  /** Every criterion missed (the memory one alone leaves the calls themselves fine: budget RAM for it). */
  misses?: StepMiss[];
}

export interface StepMiss { criterion: 'calls' | 'jitter' | 'loss' | 'memory' | 'voice-to-voice'; why: string }

export interface RampReport {
  steps: RampStep[];
  /** Highest concurrency that passed every criterion; null if none did. */
  kneeCalls: number | null;
  stoppedAt: number | null;
}

/** Issue #14's figures for one step: jitter within max(5 ms, baseline), no loss, ≤ 1 MB per call, ≤ 30 ms voice-to-voice added. */
export const MEMORY_PER_CALL_TARGET_MB = 1;
export const VOICE_TO_VOICE_ADDED_TARGET_MS = 30;

/**
 * Mean CPU over the seconds every call was up, minus the first two (set-up) and the last one;
 * `cpu` picks the figure (default the server's, or the sum of the sampled processes).
 */
export function steadyCpuPct(timeline: TimelinePoint[], cpu: (p: TimelinePoint) => number | null | undefined = (p) => p.cpuPct): number | null {
  const peak = Math.max(0, ...timeline.map((p) => p.concurrent));
  if (peak === 0) return null;
  const full = timeline.filter((p) => p.concurrent >= peak * 0.98 && typeof cpu(p) === 'number');
  const window = full.length > 5 ? full.slice(2, -1) : full;
  return window.length ? window.reduce((sum, p) => sum + cpu(p)!, 0) / window.length : null;
}

/** Each sampled process's steady CPU (drachtio engine), or null when one process was sampled. */
export function steadyCpuByProcess(timeline: TimelinePoint[]): Record<string, number> | null {
  const names = Object.keys(timeline.find((p) => p.parts)?.parts ?? {});
  if (!names.length) return null;
  return Object.fromEntries(names.map((n) => [n, steadyCpuPct(timeline, (p) => p.parts?.[n]?.cpuPct) ?? NaN]));
}

/**
 * Highest step that passed, with every step below it passing too; `ignore`: criteria left out
 * (the knee of the calls themselves, memory budgeted apart).
 */
export function kneeOf(steps: RampStep[], ignore: StepMiss['criterion'][] = []): number | null {
  const passed = (s: RampStep) => (ignore.length && s.misses ? s.misses.every((m) => ignore.includes(m.criterion)) : s.passed);
  const firstFail = steps.findIndex((s) => !passed(s));
  return (firstFail === -1 ? steps : steps.slice(0, firstFail)).at(-1)?.concurrency ?? null;
}

/** One step's run: reach its concurrency within ~10 s, and hold every call long enough to overlap. */
export function stepOptions(opts: LoadtestOptions, concurrency: number, out: string): LoadtestOptions {
  const rate = Math.max(opts.rate, concurrency / 10);
  const durationS = Math.max(opts.durationS, concurrency / rate + 5);
  return { ...opts, ramp: [], calls: concurrency, concurrency, rate, durationS, out, maxWallMs: (concurrency / rate + durationS + 90) * 1000 };
}

/**
 * `first`: the ramp's first step, against which voice-to-voice added is judged and memory per
 * added call is reported; memory per call is judged on this step alone.
 */
export function judgeStep(concurrency: number, r: LoadtestReport, first: RampStep | null = null): RampStep {
  const run = r.run;
  const jitter = run.rtp?.toSipp.jitterMs.p99 ?? null;
  const baselineJitter = r.baseline?.rtp?.toSipp.jitterMs.p99 ?? null;
  const jitterLimit = Math.max(JITTER_TARGET_MS, baselineJitter ?? 0);
  const loss = run.rtp?.toSipp.lossPct ?? null;
  const failed = run.sipp.failed + (run.api?.rejected ?? 0);
  const perCall = r.figures.find((f) => f.name.endsWith('memory per call'))?.value ?? null;
  const v2v = r.server?.voiceToVoiceMs ?? null;
  const added = v2v && first?.voiceToVoiceMs ? v2v.p95 - first.voiceToVoiceMs.p95 : null;
  const rss = run.rssMb?.max ?? null;
  const marginal = first && rss !== null && first.rssMaxMb !== null && concurrency > first.concurrency
    ? Math.max(0, rss - first.rssMaxMb) / (concurrency - first.concurrency) : null;
  const cpuSteady = steadyCpuPct(run.timeline ?? []);
  const misses: StepMiss[] = [];
  const miss = (criterion: StepMiss['criterion'], why: string) => misses.push({ criterion, why });
  if (failed > 0) miss('calls', `${failed} call(s) failed`);
  else if (run.sipp.succeeded < concurrency) miss('calls', `only ${run.sipp.succeeded} of ${concurrency} calls completed`);
  const open = r.server ? callsLeftOpen(r.server) : 0;
  if (open > 0) miss('calls', `${open} call(s) left open on the server (no call.completed)`);
  if (jitter === null) miss('jitter', 'no RTP capture, jitter unknown');
  else if (jitter > jitterLimit) miss('jitter', `jitter p99 ${fmt(jitter)} ms > ${fmt(jitterLimit)} ms`);
  if (loss !== null && loss > 0) miss('loss', `${fmt(loss, 3)} % RTP loss`);
  if (perCall !== null && perCall > MEMORY_PER_CALL_TARGET_MB) miss('memory', `${fmt(perCall)} MB per call > ${MEMORY_PER_CALL_TARGET_MB} MB`);
  if (added !== null && added > VOICE_TO_VOICE_ADDED_TARGET_MS) miss('voice-to-voice', `voice-to-voice p95 +${fmt(added, 0)} ms > ${VOICE_TO_VOICE_ADDED_TARGET_MS} ms`);
  const why = misses[0]?.why ?? 'ok';
  return {
    concurrency, ok: run.sipp.succeeded, failed, jitterP99Ms: jitter, baselineJitterP99Ms: baselineJitter,
    lossPct: loss, baselineLossPct: r.baseline?.rtp?.toSipp.lossPct ?? null,
    cpuMean: run.cpuPct?.mean ?? null, cpuSteadyPct: cpuSteady, cpuSteadyByProcess: steadyCpuByProcess(run.timeline ?? []), cpuPerCallPct: cpuSteady === null ? null : cpuSteady / concurrency,
    baselineCpuSteadyPct: r.baseline ? steadyCpuPct(r.baseline.timeline ?? []) : null,
    rssMaxMb: rss, rssMaxByProcess: run.cpuByProcess ? Object.fromEntries(Object.entries(run.cpuByProcess).map(([n, u]) => [n, u.rssMb.max])) : null,
    memoryPerCallMb: perCall, memoryMarginalMb: marginal, voiceToVoiceMs: v2v, voiceToVoiceAddedMs: added,
    vadLagP95Ms: r.server?.vadLagMs?.p95 ?? null,
    passed: why === 'ok', why, misses,
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
    const step = stepOptions(opts, concurrency, join(out, `step-${concurrency}`));
    hooks.log(`ramp step: ${concurrency} concurrent calls (${fmt(step.rate, 1)} cps, ${fmt(step.durationS, 0)} s each)`);
    const report = await runLoadtest(step, hooks);
    const judged = judgeStep(concurrency, report, steps[0] ?? null);
    steps.push(judged);
    hooks.log(`ramp step ${concurrency}: ${judged.why}; cpu ${fmt(judged.cpuSteadyPct, 0)} % (${fmt(judged.cpuPerCallPct, 3)} % per call), rss ${fmt(judged.rssMaxMb, 0)} MB`);
    if (!judged.passed && stoppedAt === null) stoppedAt = concurrency;
    if (!judged.passed && !opts.rampAll) break;
  }
  const ramp: RampReport = { steps, kneeCalls: kneeOf(steps), stoppedAt };
  await writeFile(join(out, 'ramp.json'), `${JSON.stringify(ramp, null, 2)}\n`);
  const chart = await renderRampChart(out, steps).then((p) => p, (err: Error) => `(chart not drawn: ${err.message})`);
  await writeFile(join(out, 'ramp.md'), renderRampMarkdown(ramp, chart));
  return ramp;
}

export function renderRampMarkdown(r: RampReport, chart: string): string {
  const rows = r.steps.map((s) =>
    `| ${s.concurrency} | ${s.ok} | ${s.failed} | ${fmt(s.jitterP99Ms)} | ${fmt(s.baselineJitterP99Ms)} | ${fmt(s.lossPct, 3)} | ${fmt(s.baselineLossPct, 3)} | ` +
    `${fmt(s.cpuSteadyPct, 0)}${cpuParts(s)} | ${fmt(s.cpuPerCallPct, 3)} | ${fmt(s.baselineCpuSteadyPct, 0)} | ${fmt(s.rssMaxMb, 0)} | ${fmt(s.memoryPerCallMb, 3)} | ${fmt(s.memoryMarginalMb, 3)} | ` +
    `${s.voiceToVoiceMs ? `${s.voiceToVoiceMs.p50} / ${s.voiceToVoiceMs.p90} / ${s.voiceToVoiceMs.p95} / ${s.voiceToVoiceMs.p99}` : 'n/a'} | ${fmt(s.voiceToVoiceAddedMs, 0)} | ${s.vadLagP95Ms == null ? 'n/a' : `≤ ${s.vadLagP95Ms}`} | ${s.passed ? 'yes' : 'NO'} | ${s.why} |`);
  return [
    '# Ramp', '',
    `Knee: **${r.kneeCalls ?? 'none'}** concurrent calls${r.stoppedAt ? ` (first failed step: ${r.stoppedAt})` : ''}; criterion: no failed call, ` +
      `outbound RTP jitter p99 ≤ ${JITTER_TARGET_MS} ms or ≤ the same step's SIPp↔SIPp baseline, no RTP loss, ≤ ${MEMORY_PER_CALL_TARGET_MB} MB RSS per call (peak over the RSS after the warm-up calls, ÷ calls), ` +
      `voice-to-voice p95 at most ${VOICE_TO_VOICE_ADDED_TARGET_MS} ms over the first step's.`,
    '', '| calls | ok | failed | jitter p99 ms | SIPp↔SIPp jitter p99 ms | loss % | SIPp↔SIPp loss % | CPU % (all up) | CPU % per call | SIPp callee CPU % | RSS MB | MB per call | MB per added call | voice-to-voice p50 / p90 / p95 / p99 ms | added p95 ms | VAD lag p95 ms | passed | why |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |', ...rows, '',
    'Each step is a fresh server and its own SIPp↔SIPp baseline with the same load (unless --no-baseline). CPU is % of one core, ' +
      'all threads of the server process, averaged over the seconds every call of the step was up.', '',
    chart.endsWith('.png') ? '![ramp](ramp.png)' : chart, '',
  ].join('\n');
}

/** " (node 40 + drachtio-server 1 + freeswitch 9)" for the drachtio engine; nothing for one process. */
export const byProcess = (parts: Record<string, number> | null | undefined): string =>
  parts ? ` (${Object.entries(parts).map(([n, v]) => `${n} ${fmt(v, 0)}`).join(' + ')})` : '';
export const cpuParts = (s: RampStep): string => byProcess(s.cpuSteadyByProcess);
