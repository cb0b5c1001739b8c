import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../scripts/bench/types.js';
import { parseLoadtestArgs } from '../../scripts/loadtest/args.js';
import type { LoadRunResult } from '../../scripts/loadtest/drive.js';
import { loadFigures } from '../../scripts/loadtest/figures.js';
import { renderReportMarkdown, writeReport, type LoadtestReport } from '../../scripts/loadtest/report.js';
import { computeRtpStats } from '../../scripts/loadtest/rtp-capture.js';
import { summarize } from '../../scripts/loadtest/stats.js';
import { markdownTable, textTable } from '../../scripts/loadtest/table.js';

const rows: BenchResult[] = [
  { name: 'api: create call', value: 1234.5678, unit: 'req/s', p50: 0.8, p95: 1.5, p99: 2.25, baseline: { name: 'bare Hono', value: 2469.1356, unit: 'req/s' }, ratio: 0.5, target: '≥ 1000 req/s', met: true },
  { name: 'sip: INVITE | parse', value: NaN, unit: 'ms', met: false, note: 'failed' },
];

function run(label: string, ok: number, jitter: number[]): LoadRunResult {
  return {
    label, startedAt: '2026-01-01T00:00:00.000Z', wallMs: 1000, api: null, rtpError: null, aborted: null,
    sipp: { attempted: 10, succeeded: ok, failed: 10 - ok, failedByCode: ok < 10 ? { 503: 10 - ok } : {}, failedByReason: {}, cps: 5, peakConcurrency: 10, retransmissions: 0, setupMs: summarize([2, 4, 6]) },
    cpuPct: summarize([10, 20, 30]), rssMb: summarize([100, 110, 120]),
    rtp: {
      toSipp: { streams: 10, packets: 1000, lost: 0, lossPct: 0, transitDeltaMs: summarize(jitter), jitterMs: summarize(jitter) },
      fromSipp: { streams: 10, packets: 1000, lost: 0, lossPct: 0, transitDeltaMs: summarize([1]), jitterMs: summarize([1]) },
      toSippP99BySecond: [],
    },
    timeline: [{ tS: 0, concurrent: 0, cpuPct: 5, rssMb: 100, jitterP99Ms: null }, { tS: 1, concurrent: 10, cpuPct: 30, rssMb: 120, jitterP99Ms: 2 }],
  };
}

describe('report writer', () => {
  it('renders one markdown row per result, escaping pipes and showing missing numbers as n/a', () => {
    const md = markdownTable(rows).split('\n');
    expect(md[0]).toBe('| name | value | unit | p50 | p95 | p99 | baseline | ratio | target | met |');
    expect(md[1]).toBe('| --- | ---: | --- | ---: | ---: | ---: | --- | ---: | --- | --- |');
    expect(md[2]).toBe('| api: create call | 1234.57 | req/s | 0.8 | 1.5 | 2.25 | 2469.14 req/s (bare Hono) | 0.5× | ≥ 1000 req/s | yes |');
    expect(md[3]).toBe('| sip: INVITE \\| parse | n/a | ms | n/a | n/a | n/a |  |  |  | NO |');
    expect(md).toHaveLength(4);
  });

  it('aligns the text table under its header', () => {
    const lines = textTable(rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]!.indexOf('value')).toBeGreaterThan(lines[2]!.indexOf('api: create call'));
    expect(lines[3]).toContain('NO');
  });

  it('turns a run and its baseline into figures with ratios and the 5 ms jitter target', () => {
    const figures = loadFigures(run('pv', 9, [1, 2, 8]), run('base', 10, [1, 2, 4]), null, 'inbound');
    const byName = Object.fromEntries(figures.map((f) => [f.name, f]));
    expect(byName['inbound: calls ok']).toMatchObject({ value: 9, met: false, ratio: 0.9 });
    expect(byName['inbound: calls ok']!.note).toContain('"503":1');
    expect(byName['inbound: RTP jitter sent by server']).toMatchObject({ value: 8, p99: 8, ratio: 2, met: false, baseline: { value: 4 } });
    expect(byName['inbound: memory per call']!.value).toBeCloseTo(2, 5); // (120 − 100) MB ÷ 10 calls
  });

  it('writes results.json and report.md with the figures, failures and notes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pv-report-'));
    try {
      const options = parseLoadtestArgs(['--scenario', 'inbound', '--spawn', '--calls', '10', '--rate', '5', '--duration', '2']);
      const r: LoadtestReport = {
        options, machine: { cpus: 2, model: 'test cpu', loadavg: [1, 1, 1] }, baseline: run('base', 10, [1]), run: run('pv', 8, [3]),
        server: null, figures: rows, charts: [join(dir, 'cpu-memory.png')], notes: ['numbers are noisy'],
      };
      const { json, md } = await writeReport(dir, r);
      const parsed = JSON.parse(await readFile(json, 'utf8'));
      expect(parsed.figures[1].value).toBeNull(); // NaN is not JSON: written as null
      expect(parsed.run.sipp.failedByCode).toEqual({ 503: 2 });
      const text = await readFile(md, 'utf8');
      expect(text).toBe(renderReportMarkdown(r));
      expect(text).toContain('# PhoneVoice load test — inbound');
      expect(text).toContain('failed by SIP code: 503 × 2');
      expect(text).toContain('![cpu-memory](cpu-memory.png)');
      expect(text).toContain('- numbers are noisy');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('RTP statistics from a capture', () => {
  const range = { min: 30000, max: 30100 };
  const line = (tMs: number, src: number, dst: number, seq: number, ts: number) => `${(1000 + tMs / 1000).toFixed(6)},${src},${dst},0x1,${seq},${ts}`;

  it('is zero for a perfectly paced stream and counts a gap as loss, across the sequence wrap', () => {
    const perfect: string[] = [];
    for (let i = 0; i < 50; i++) {
      const seq = (65530 + i) & 0xffff;
      if (i !== 10) perfect.push(line(i * 20, 20000, 30000, seq, i * 160)); // packet 10 lost
    }
    const s = computeRtpStats(perfect.join('\n'), range, 1_000_000);
    expect(s.toSipp).toMatchObject({ streams: 1, packets: 49, lost: 1 });
    expect(s.toSipp.lossPct).toBeCloseTo(2, 5);
    expect(s.toSipp.jitterMs.max).toBeCloseTo(0, 6);
    expect(s.fromSipp.packets).toBe(0);
  });

  it('measures pacing error per packet and as RFC 3550 jitter, per direction', () => {
    const lines: string[] = [];
    // Every other packet 4 ms late: |D| alternates 4, 4 after the first.
    for (let i = 0; i < 100; i++) lines.push(line(i * 20 + (i % 2) * 4, 30002, 20002, i, i * 160));
    const s = computeRtpStats(lines.join('\n'), range, 1_000_000);
    expect(s.fromSipp.packets).toBe(100);
    expect(s.fromSipp.transitDeltaMs.p50).toBeCloseTo(4, 3);
    // The running estimate converges on the mean |D| of 4 ms.
    expect(s.fromSipp.jitterMs.max).toBeGreaterThan(3.5);
    expect(s.fromSipp.jitterMs.max).toBeLessThanOrEqual(4.0001);
    expect(s.toSipp.packets).toBe(0);
  });
});
