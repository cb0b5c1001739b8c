import { describe, expect, it } from 'vitest';
import { renderEngineRampMarkdown, type EngineRampReport } from '../../scripts/loadtest/engine-ramp.js';
import { judgeStep, kneeOf, steadyCpuByProcess } from '../../scripts/loadtest/ramp.js';
import type { LoadtestReport } from '../../scripts/loadtest/report.js';
import { summarize } from '../../scripts/loadtest/stats.js';

const parts = (node: number, fs: number) => ({ node: { cpuPct: node, rssMb: 400 }, freeswitch: { cpuPct: fs, rssMb: 60 } });

/** Calls up over 3 s, held 8 s; the drachtio engine's processes at 30 % (node) and 10 % (FreeSWITCH), 90 % / 50 % while calls come up. */
const timeline = (calls: number) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((tS) => {
  const p = tS === 3 ? parts(90, 50) : parts(30, 10);
  return {
    tS, concurrent: tS < 3 ? Math.round((calls * tS) / 3) : tS < 11 ? calls : 0,
    cpuPct: p.node.cpuPct + p.freeswitch.cpuPct, rssMb: 460, jitterP99Ms: 1, parts: p,
  };
});

function drachtioReport(calls: number, jitterP99: number): LoadtestReport {
  const rtp = { streams: calls, packets: 100 * calls, lost: 0, lossPct: 0, transitDeltaMs: summarize([1]), jitterMs: summarize([1, jitterP99]) };
  return {
    run: {
      sipp: { attempted: calls, succeeded: calls, failed: 0 }, api: null, rtp: { toSipp: rtp, fromSipp: rtp, toSippP99BySecond: [] },
      cpuPct: summarize([40]), rssMb: summarize([440, 460 + calls / 2]), timeline: timeline(calls),
      cpuByProcess: { node: { cpuPct: summarize([30]), rssMb: summarize([400, 420]) }, freeswitch: { cpuPct: summarize([10]), rssMb: summarize([50, 60]) } },
    },
    baseline: null,
    server: { voiceToVoiceMs: { p50: 700, p90: 800, p95: 850, p99: 900 } },
    figures: [{ name: 'inbound: memory per call', value: 0.5, unit: 'MB' }],
  } as unknown as LoadtestReport;
}

describe('capacity ramp of both engines', () => {
  it('takes each process\'s CPU from the seconds every call was up', () => {
    expect(steadyCpuByProcess(timeline(10))).toEqual({ node: 30, freeswitch: 10 });
    expect(steadyCpuByProcess(timeline(10).map(({ parts: _, ...p }) => p))).toBeNull();
  });

  it('judges a drachtio step on the sum of its processes and keeps each one\'s share', () => {
    const s = judgeStep(10, drachtioReport(10, 2));
    expect(s).toMatchObject({ passed: true, cpuSteadyPct: 40, cpuPerCallPct: 4, cpuSteadyByProcess: { node: 30, freeswitch: 10 }, rssMaxByProcess: { node: 420, freeswitch: 60 } });
  });

  it('puts both engines\' rows side by side per step, with each knee', () => {
    const first = judgeStep(10, drachtioReport(10, 2));
    const second = judgeStep(20, drachtioReport(20, 7), first);
    const embedded = [judgeStep(10, drachtioReport(10, 3))].map((s) => ({ ...s, cpuSteadyByProcess: null, rssMaxByProcess: null }));
    expect(kneeOf([first, second])).toBe(10);
    expect(kneeOf([second, first])).toBeNull();
    // A step that misses only the memory figure counts when memory is budgeted apart; jitter never does.
    const heavy = judgeStep(30, { ...drachtioReport(30, 2), figures: [{ name: 'inbound: memory per call', value: 3, unit: 'MB' }] } as LoadtestReport);
    expect(heavy).toMatchObject({ passed: false, why: '3 MB per call > 1 MB', misses: [{ criterion: 'memory', why: '3 MB per call > 1 MB' }] });
    expect(kneeOf([first, heavy])).toBe(10);
    expect(kneeOf([first, heavy], ['memory'])).toBe(30);
    expect(kneeOf([first, heavy, second], ['memory'])).toBe(30);
    const r: EngineRampReport = {
      engines: {
        embedded: { steps: embedded, kneeCalls: kneeOf(embedded), stoppedAt: null },
        drachtio: { steps: [first, second], kneeCalls: 10, stoppedAt: 20 },
      },
      kneeBeforeMemory: { embedded: 10, drachtio: 20 }, stopped: { embedded: '11 of 20 calls failed at 20' }, loadavg: [1, 2, 3],
    };
    const md = renderEngineRampMarkdown(r, { ramp: [10, 20], durationS: 6, fsRealtime: false });
    expect(md).toContain('- embedded: knee **10** concurrent calls; leaving out RSS per call: **10** (stopped: 11 of 20 calls failed at 20)');
    expect(md).toContain('- drachtio: knee **10** concurrent calls; leaving out RSS per call: **20**');
    expect(md).toContain('| 10 | embedded | 10 / 0 | 3 (n/a) | 0 | 40 | 4 | 465 | 0.5 |');
    expect(md).toContain('| 10 | drachtio | 10 / 0 | 2 (n/a) | 0 | 40 (node 30 + freeswitch 10) | 4 | 465 (node 420 + freeswitch 60) | 0.5 | 700 / 850 | n/a | yes |');
    expect(md).toContain('| 20 | drachtio | 20 / 0 | 7 (n/a) | 0 | 40 (node 30 + freeswitch 10) | 2 | 470 (node 420 + freeswitch 60) | 0.5 | 700 / 850 | 0 | NO: jitter p99 7 ms > 5 ms |');
    expect(md.split('\n').filter((l) => /^\| \d+ \| (embedded|drachtio) /.test(l))).toHaveLength(3);
  });
});
