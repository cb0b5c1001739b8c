import { describe, expect, it } from 'vitest';
import { judgeStep, renderRampMarkdown, steadyCpuPct } from '../../scripts/loadtest/ramp.js';
import type { LoadtestReport } from '../../scripts/loadtest/report.js';
import { summarize } from '../../scripts/loadtest/stats.js';

interface Knobs { baselineJitterP99?: number; lossPct?: number; memoryPerCallMb?: number; v2vP95?: number; leftOpen?: number }

const rtpOf = (jitterP99: number, lossPct = 0) => ({
  toSipp: { streams: 1, packets: 100, lost: lossPct ? 1 : 0, lossPct, transitDeltaMs: summarize([1]), jitterMs: summarize([1, jitterP99]) },
  fromSipp: { streams: 1, packets: 100, lost: 0, lossPct: 0, transitDeltaMs: summarize([1]), jitterMs: summarize([1]) },
  toSippP99BySecond: [],
});

/** Calls come up over 3 s, stay up 8 s at 40 % CPU (60 % in the first second), then end. */
const timeline = (calls: number) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((tS) => ({
  tS, concurrent: tS < 3 ? Math.round((calls * tS) / 3) : tS < 11 ? calls : 0, cpuPct: tS === 3 ? 60 : 40, rssMb: 300, jitterP99Ms: 1,
}));

function report(ok: number, failed: number, jitterP99: number | null, k: Knobs = {}): LoadtestReport {
  return {
    run: {
      sipp: { attempted: ok + failed, succeeded: ok, failed }, api: null, rtp: jitterP99 === null ? null : rtpOf(jitterP99, k.lossPct),
      cpuPct: summarize([40]), rssMb: summarize([300, 350]), timeline: timeline(ok),
    },
    baseline: k.baselineJitterP99 === undefined ? null : { rtp: rtpOf(k.baselineJitterP99), timeline: timeline(ok).map((p) => ({ ...p, cpuPct: 5 })) },
    server: {
      voiceToVoiceMs: { p50: 700, p90: 800, p95: k.v2vP95 ?? 850, p99: 900 },
      callsByStatus: { completed: ok - (k.leftOpen ?? 0), ...(k.leftOpen ? { in_progress: k.leftOpen - 1, ringing: 1 } : {}) },
    },
    figures: [{ name: 'inbound: memory per call', value: k.memoryPerCallMb ?? 0.8, unit: 'MB' }],
  } as unknown as LoadtestReport;
}

describe('ramp', () => {
  it('passes a step with every call up, jitter p99 within 5 ms, no loss, ≤ 1 MB per call', () => {
    expect(judgeStep(50, report(50, 0, 4.9))).toMatchObject({
      passed: true, why: 'ok', jitterP99Ms: 4.9, memoryPerCallMb: 0.8, cpuMean: 40, rssMaxMb: 350, lossPct: 0, cpuSteadyPct: 40, cpuPerCallPct: 0.8,
    });
  });

  it('allows the jitter of the same step\'s SIPp↔SIPp baseline when that is above 5 ms', () => {
    expect(judgeStep(50, report(50, 0, 7, { baselineJitterP99: 8 }))).toMatchObject({ passed: true, baselineJitterP99Ms: 8, baselineCpuSteadyPct: 5 });
    expect(judgeStep(50, report(50, 0, 9, { baselineJitterP99: 8 }))).toMatchObject({ passed: false, why: 'jitter p99 9 ms > 8 ms' });
  });

  it.each([
    [report(49, 1, 1), '1 call(s) failed'],
    [report(48, 0, 1), 'only 48 of 50 calls completed'],
    [report(50, 0, 5.2), 'jitter p99 5.2 ms > 5 ms'],
    [report(50, 0, null), 'no RTP capture, jitter unknown'],
    [report(50, 0, 1, { lossPct: 0.01 }), '0.01 % RTP loss'],
    [report(50, 0, 1, { memoryPerCallMb: 1.2 }), '1.2 MB per call > 1 MB'],
    // SIPp saw every call through, but the server never ended three of them: no call.completed.
    [report(50, 0, 1, { leftOpen: 3 }), '3 call(s) left open on the server (no call.completed)'],
  ])('stops at the knee and says why: %#', (r, why) => {
    expect(judgeStep(50, r)).toMatchObject({ passed: false, why });
  });

  it('judges memory per call on the step itself (RSS over the post-warm-up start), and reports the per-added-call figure beside it', () => {
    const first = judgeStep(25, report(25, 0, 1));
    const r = report(125, 0, 1, { memoryPerCallMb: 0.9 });
    (r.run.rssMb as { max: number }).max = 350 + 150;
    expect(judgeStep(125, r, first)).toMatchObject({ passed: true, memoryMarginalMb: 1.5, memoryPerCallMb: 0.9 });
    const heavy = report(125, 0, 1, { memoryPerCallMb: 1.1 });
    (heavy.run.rssMb as { max: number }).max = 350 + 50;
    expect(judgeStep(125, heavy, first)).toMatchObject({ passed: false, why: '1.1 MB per call > 1 MB', memoryMarginalMb: 0.5 });
  });

  it('judges voice-to-voice against the first step: p95 more than 30 ms over it fails (p90 and p99 do not decide)', () => {
    const first = judgeStep(50, report(50, 0, 1));
    expect(judgeStep(100, report(100, 0, 1, { v2vP95: 875 }), first)).toMatchObject({ passed: true, voiceToVoiceAddedMs: 25 });
    expect(judgeStep(100, report(100, 0, 1, { v2vP95: 890 }), first)).toMatchObject({ passed: false, why: 'voice-to-voice p95 +40 ms > 30 ms' });
  });

  it('takes steady CPU from the seconds every call was up, without the first two and the last', () => {
    expect(steadyCpuPct(timeline(10))).toBe(40);
    expect(steadyCpuPct([])).toBeNull();
  });

  it('reports the knee and one row per step', () => {
    const steps = [judgeStep(50, report(50, 0, 2)), judgeStep(100, report(100, 0, 7))];
    const md = renderRampMarkdown({ steps, kneeCalls: 50, stoppedAt: 100 }, '/x/ramp.png');
    expect(md).toContain('Knee: **50** concurrent calls (first failed step: 100)');
    expect(md).toContain('| 50 | 50 | 0 | 2 | n/a | 0 | n/a | 40 | 0.8 | n/a | 350 | 0.8 | n/a | 700 / 800 / 850 / 900 | n/a | n/a | yes | ok |');
    expect(md).toContain('| 100 | 100 | 0 | 7 | n/a | 0 | n/a | 40 | 0.4 | n/a | 350 | 0.8 | n/a | 700 / 800 / 850 / 900 | n/a | n/a | NO | jitter p99 7 ms > 5 ms |');
    expect(md).toContain('![ramp](ramp.png)');
  });

  it('reports the VAD lag p95 the server exported, without judging it', () => {
    const r = report(100, 0, 2);
    (r.server as { vadLagMs?: unknown }).vadLagMs = { p50: 25, p95: 250, windows: 1000 };
    const step = judgeStep(100, r);
    expect(step).toMatchObject({ vadLagP95Ms: 250, passed: true });
    expect(renderRampMarkdown({ steps: [step], kneeCalls: 100, stoppedAt: null }, '/x/ramp.png')).toContain('| 700 / 800 / 850 / 900 | n/a | ≤ 250 | yes | ok |');
  });
});
