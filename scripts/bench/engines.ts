import { join } from 'node:path';
import { daemonsMissing } from '../daemons/stack.js';
import { parseLoadtestArgs } from '../loadtest/args.js';
import { ENGINES } from '../loadtest/engine.js';
import { runEngineRamp } from '../loadtest/engine-ramp.js';
import { JITTER_TARGET_MS } from '../loadtest/figures.js';
import { byProcess, cpuParts, type RampStep } from '../loadtest/ramp.js';
import { fmt } from '../loadtest/stats.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * `npm run bench` module for issues #10 (item 4) and #14: the capacity ramp for both engines
 * side by side — the embedded engine, and drachtio-server + FreeSWITCH driven by the drachtio
 * engine — same steps, same run, each step beside one SIPp↔SIPp baseline at the same load.
 * Whole server with the voice agent on every call, speech both ways, fake STT/LLM/TTS of fixed
 * latency. One row per engine per step, a knee per engine; the full tables, per-process CPU and
 * charts stay in results/engines-<timestamp>/ (engines.md, <engine>/ramp.md).
 */
export const STEPS = { full: [25, 50, 100, 150, 200, 250], quick: [10, 25] };
const HOLD_S = { full: 20, quick: 6 };

/** Per step: a baseline and two servers (one with two daemons to start). */
export const timeoutMs = { full: 45 * 60_000, quick: 8 * 60_000 };

export default async function enginesBench(opts: BenchOptions): Promise<BenchResult[]> {
  const missing = daemonsMissing();
  if (missing) return [{ name: 'engines: capacity ramp, both engines', value: NaN, unit: 'calls', note: `skipped: ${missing}` }];
  const steps = opts.quick ? STEPS.quick : STEPS.full;
  const out = join('results', `engines-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const o = parseLoadtestArgs(['--scenario', 'inbound', '--spawn', '--ramp', steps.join(','), '--ramp-all',
    '--duration', String(opts.quick ? HOLD_S.quick : HOLD_S.full), '--out', out, '--quiet']);
  const r = await runEngineRamp(o, { log: opts.log });
  const rows: BenchResult[] = [];
  for (const calls of steps) {
    const embedded = r.engines.embedded.steps.find((s) => s.concurrency === calls) ?? null;
    for (const engine of ENGINES) {
      const s = r.engines[engine].steps.find((x) => x.concurrency === calls);
      if (s) rows.push(stepRow(engine, s, engine === 'embedded' ? null : embedded));
    }
  }
  for (const engine of ENGINES) {
    const { kneeCalls } = r.engines[engine];
    rows.push({
      name: `engines: ${engine} knee (every figure met)`, value: kneeCalls ?? 0, unit: 'calls', target: `≥ ${steps.at(-1)} calls`,
      met: (kneeCalls ?? 0) >= steps.at(-1)!, note: `${r.stopped[engine] ? `stopped early: ${r.stopped[engine]}; ` : ''}report: ${out}/engines.md`,
    }, {
      name: `engines: ${engine} knee (calls, jitter, loss, voice-to-voice; RSS budgeted apart)`, value: r.kneeBeforeMemory[engine] ?? 0, unit: 'calls',
      note: 'every figure but RSS per call met up to here',
    });
  }
  return rows;
}

/** One engine at one step: outbound jitter p99 as the figure, everything else an operator sizes on in the note. */
function stepRow(engine: string, s: RampStep, embedded: RampStep | null): BenchResult {
  const limit = Math.max(JITTER_TARGET_MS, s.baselineJitterP99Ms ?? 0);
  const cpuVsEmbedded = embedded?.cpuSteadyPct && s.cpuSteadyPct !== null ? `, ${fmt(s.cpuSteadyPct / embedded.cpuSteadyPct, 2)}× the embedded engine's` : '';
  return {
    name: `engines ${s.concurrency} calls, ${engine}: outbound RTP jitter p99`, value: s.jitterP99Ms ?? NaN, unit: 'ms',
    ...(s.baselineJitterP99Ms === null ? {} : { baseline: { name: 'SIPp↔SIPp', value: s.baselineJitterP99Ms, unit: 'ms' } }),
    ...(s.jitterP99Ms !== null && s.baselineJitterP99Ms ? { ratio: s.jitterP99Ms / s.baselineJitterP99Ms } : {}),
    target: `≤ ${fmt(limit)} ms and issue 14's other figures`, met: s.passed,
    note: `${s.ok} ok / ${s.failed} failed; loss ${fmt(s.lossPct, 3)} %; CPU ${fmt(s.cpuSteadyPct, 0)} %core${cpuParts(s)} = ${fmt(s.cpuPerCallPct, 2)} % per call${cpuVsEmbedded}; `
      + `RSS ${fmt(s.rssMaxMb, 0)} MB${byProcess(s.rssMaxByProcess)}, ${fmt(s.memoryPerCallMb, 2)} MB per call; `
      + `voice-to-voice p50/p95 ${s.voiceToVoiceMs ? `${s.voiceToVoiceMs.p50}/${s.voiceToVoiceMs.p95}` : 'n/a'} ms (added ${fmt(s.voiceToVoiceAddedMs, 0)}); ${s.passed ? 'passed' : s.why}`,
  };
}
