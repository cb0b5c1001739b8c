import { describe, expect, it } from 'vitest';
import { judgeStep, renderRampMarkdown } from '../../scripts/loadtest/ramp.js';
import type { LoadtestReport } from '../../scripts/loadtest/report.js';
import { summarize } from '../../scripts/loadtest/stats.js';

function report(ok: number, failed: number, jitterP99: number | null): LoadtestReport {
  const rtp = jitterP99 === null ? null : {
    toSipp: { streams: 1, packets: 100, lost: 0, lossPct: 0, transitDeltaMs: summarize([1]), jitterMs: summarize([1, jitterP99]) },
    fromSipp: { streams: 1, packets: 100, lost: 0, lossPct: 0, transitDeltaMs: summarize([1]), jitterMs: summarize([1]) },
    toSippP99BySecond: [],
  };
  return {
    run: {
      sipp: { attempted: ok + failed, succeeded: ok, failed }, api: null, rtp, cpuPct: summarize([40]), rssMb: summarize([300, 350]),
    },
    baseline: null, figures: [{ name: 'inbound: memory per call', value: 1.5, unit: 'MB' }],
  } as unknown as LoadtestReport;
}

describe('ramp', () => {
  it('passes a step with every call up and jitter p99 within 5 ms', () => {
    expect(judgeStep(50, report(50, 0, 4.9))).toMatchObject({ passed: true, why: 'ok', jitterP99Ms: 4.9, memoryPerCallMb: 1.5, cpuMean: 40, rssMaxMb: 350 });
  });

  it.each([
    [report(49, 1, 1), '1 call(s) failed'],
    [report(48, 0, 1), 'only 48 of 50 calls completed'],
    [report(50, 0, 5.2), 'jitter p99 5.2 ms > 5 ms'],
    [report(50, 0, null), 'no RTP capture, jitter unknown'],
  ])('stops at the knee and says why: %#', (r, why) => {
    expect(judgeStep(50, r)).toMatchObject({ passed: false, why });
  });

  it('reports the knee and one row per step', () => {
    const steps = [judgeStep(50, report(50, 0, 2)), judgeStep(100, report(100, 0, 7))];
    const md = renderRampMarkdown({ steps, kneeCalls: 50, stoppedAt: 100 }, '/x/ramp.png');
    expect(md).toContain('Knee: **50** concurrent calls (first failed step: 100)');
    expect(md).toContain('| 50 | 50 | 0 | 2 | n/a | 40 | 350 | 1.5 | yes | ok |');
    expect(md).toContain('| 100 | 100 | 0 | 7 | n/a | 40 | 350 | 1.5 | NO | jitter p99 7 ms > 5 ms |');
    expect(md).toContain('![ramp](ramp.png)');
  });
});
