import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import type { BenchResult } from '../bench/types.js';
import type { LoadtestOptions } from './args.js';
import type { LoadRunResult } from './drive.js';
import type { ServerFigures } from './figures.js';
import { markdownTable } from './table.js';

/** Everything a load test run wrote down; `results.json` is this object. */
export interface LoadtestReport {
  options: Omit<LoadtestOptions, 'apiKey'>;
  machine: { cpus: number; model: string; loadavg: number[] };
  baseline: LoadRunResult | null;
  run: LoadRunResult;
  server: ServerFigures | null;
  figures: BenchResult[];
  charts: string[];
  notes: string[];
}

export function machineInfo(): LoadtestReport['machine'] {
  const c = cpus();
  return { cpus: c.length, model: c[0]?.model ?? 'unknown', loadavg: loadavg().map((x) => Number(x.toFixed(2))) };
}

const counts = (o: Record<string, number>) =>
  Object.keys(o).length ? Object.entries(o).map(([k, v]) => `${k} × ${v}`).join(', ') : 'none';

export function renderReportMarkdown(r: LoadtestReport): string {
  const o = r.options;
  const lines = [
    `# PhoneVoice load test — ${o.scenario}`,
    '',
    `${o.calls} calls at ${o.rate} cps, each held ${o.durationS} s, at most ${o.concurrency} at once, ${o.codec} speech over RTP; ` +
      `${o.spawn ? `server spawned here (${o.engine === 'drachtio' ? `drachtio engine: drachtio-server + FreeSWITCH (${o.fsRealtime ? 'its realtime media threads' : '-np, ordinary scheduling'}) started here, CPU/RSS summed over the three processes` : 'embedded engine'}) with fake providers (STT ${o.fake.sttDelayMs} ms, LLM first token ${o.fake.llmFirstTokenMs} ms, TTS first audio ${o.fake.ttsFirstAudioMs} ms)` : `target ${o.target?.host}:${o.target?.port}`}.`,
    `Machine: ${r.machine.cpus} × ${r.machine.model}, load average ${r.machine.loadavg.join(' / ')} at the end` +
      ' (a shared machine makes every figure noisy; compare ratios to the baseline of the same run).',
    '',
    '## Figures',
    '',
    markdownTable(r.figures),
    '',
    'Ratios are value ÷ SIPp↔SIPp baseline measured in the same run with the same rate, hold time and RTP; for times, CPU and memory lower is better.',
    '',
    '## Calls',
    '',
    `- SIPp: attempted ${r.run.sipp.attempted}, ok ${r.run.sipp.succeeded}, failed ${r.run.sipp.failed}; ` +
      `failed by SIP code: ${counts(r.run.sipp.failedByCode)}; by SIPp reason: ${counts(r.run.sipp.failedByReason)}; ` +
      `retransmissions ${r.run.sipp.retransmissions}.`,
  ];
  if (r.run.api) lines.push(`- API: ${r.run.api.placed} calls accepted by POST /v1/calls, ${r.run.api.rejected} refused.`);
  if (r.server) {
    lines.push(`- Call objects by status: ${counts(r.server.callsByStatus)}; by end_reason: ${counts(r.server.endReasons)}.`);
    if (r.server.rtpMetrics.length) lines.push('', 'Server RTP metrics (`/metrics`) after the run:', '', '```', ...r.server.rtpMetrics, '```');
  }
  if (r.baseline) {
    lines.push(`- Baseline (SIPp↔SIPp): attempted ${r.baseline.sipp.attempted}, ok ${r.baseline.sipp.succeeded}, failed ${r.baseline.sipp.failed}.`);
  }
  if (r.run.aborted) lines.push('', `**Stopped early:** ${r.run.aborted}.`);
  if (r.charts.length) {
    lines.push('', '## Charts', '');
    for (const c of r.charts) lines.push(`![${basename(c, '.png')}](${basename(c)})`);
  }
  if (r.notes.length) lines.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

export async function writeReport(dir: string, report: LoadtestReport): Promise<{ json: string; md: string }> {
  const json = join(dir, 'results.json');
  const md = join(dir, 'report.md');
  await writeFile(json, `${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  await writeFile(md, renderReportMarkdown(report));
  return { json, md };
}
