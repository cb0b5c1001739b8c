import { join } from 'node:path';
import { parseLoadtestArgs } from '../loadtest/args.js';
import { JITTER_TARGET_MS } from '../loadtest/figures.js';
import { MEMORY_PER_CALL_TARGET_MB, runRamp, VOICE_TO_VOICE_ADDED_TARGET_MS, type RampStep } from '../loadtest/ramp.js';
import { fmt } from '../loadtest/stats.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * `npm run bench` module for issue #14: the whole server (embedded engine, the voice agent with
 * Silero VAD on every call, speech both ways, fake STT/LLM/TTS of fixed latency) in a ramp of
 * concurrent inbound calls, a fresh server per step, each step beside a SIPp↔SIPp baseline at
 * the same load. The ramp's report and chart stay in results/capacity-<timestamp>/.
 */
export const STEPS = { full: [25, 50, 100, 150, 200, 250], quick: [10, 25] };
const TARGET_CALLS = 200;

/** Six steps with baselines take 8–10 minutes on 2 cores: more than the default module limit. */
export const timeoutMs = { full: 20 * 60_000, quick: 4 * 60_000 };

export default async function capacityBench(opts: BenchOptions): Promise<BenchResult[]> {
  const steps = opts.quick ? STEPS.quick : STEPS.full;
  const out = join('results', `capacity-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const o = parseLoadtestArgs(['--scenario', 'inbound', '--spawn', '--ramp', steps.join(','), '--ramp-all',
    '--duration', opts.quick ? '8' : '20', '--out', out, '--quiet']);
  const ramp = await runRamp(o, { log: opts.log });
  const rows = ramp.steps.flatMap(stepRows);
  const target = opts.quick ? steps.at(-1)! : TARGET_CALLS;
  rows.push({
    name: 'capacity: knee (every figure met)', value: ramp.kneeCalls ?? 0, unit: 'calls',
    target: `≥ ${target} calls`, met: (ramp.kneeCalls ?? 0) >= target, note: `report and chart: ${out}/ramp.md`,
  });
  return rows;
}

function stepRows(s: RampStep): BenchResult[] {
  const at = `capacity ${s.concurrency} calls`;
  const jitterLimit = Math.max(JITTER_TARGET_MS, s.baselineJitterP99Ms ?? 0);
  const base = (value: number | null, name: string, unit: string) => (value === null ? {} : { baseline: { name, value, unit } });
  const ratio = (a: number | null, b: number | null) => (a !== null && b ? { ratio: a / b } : {});
  const memory = s.memoryPerCallMb;
  return [
    {
      name: `${at}: outbound RTP jitter p99`, value: s.jitterP99Ms ?? NaN, unit: 'ms',
      ...base(s.baselineJitterP99Ms, 'SIPp↔SIPp', 'ms'), ...ratio(s.jitterP99Ms, s.baselineJitterP99Ms),
      target: `≤ ${fmt(jitterLimit)} ms (5 ms or SIPp↔SIPp)`, met: s.jitterP99Ms !== null && s.jitterP99Ms <= jitterLimit,
      note: `${s.ok} ok, ${s.failed} failed; step ${s.passed ? 'passed' : `failed: ${s.why}`}`,
    },
    {
      name: `${at}: RTP loss sent by server`, value: s.lossPct ?? NaN, unit: '%', ...base(s.baselineLossPct, 'SIPp↔SIPp', '%'),
      target: '0 %', met: s.lossPct === 0,
    },
    {
      name: `${at}: CPU, all calls up`, value: s.cpuSteadyPct ?? NaN, unit: '%core', ...base(s.baselineCpuSteadyPct, 'SIPp callee', '%core'),
      ...ratio(s.cpuSteadyPct, s.baselineCpuSteadyPct), note: `${fmt(s.cpuPerCallPct, 3)} % of a core per call; all threads of the server`,
    },
    {
      name: `${at}: RSS per call`, value: memory ?? NaN, unit: 'MB',
      target: `≤ ${MEMORY_PER_CALL_TARGET_MB} MB`, met: memory !== null && memory <= MEMORY_PER_CALL_TARGET_MB,
      note: `(peak − RSS after the warm-up calls) ÷ calls; RSS peak ${fmt(s.rssMaxMb, 0)} MB; per call added since the first step ${fmt(s.memoryMarginalMb, 2)} MB`,
    },
    {
      name: `${at}: voice-to-voice added (p95 over first step)`, value: s.voiceToVoiceAddedMs ?? NaN, unit: 'ms',
      p50: s.voiceToVoiceMs?.p50, p95: s.voiceToVoiceMs?.p95, p99: s.voiceToVoiceMs?.p99, target: `≤ ${VOICE_TO_VOICE_ADDED_TARGET_MS} ms`,
      met: s.voiceToVoiceAddedMs === null ? undefined : s.voiceToVoiceAddedMs <= VOICE_TO_VOICE_ADDED_TARGET_MS,
      note: s.voiceToVoiceMs ? `voice-to-voice p50 / p90 / p95 / p99 ${s.voiceToVoiceMs.p50} / ${s.voiceToVoiceMs.p90} / ${s.voiceToVoiceMs.p95} / ${s.voiceToVoiceMs.p99} ms` : 'no turns reported',
    },
  ];
}
