import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TimelinePoint } from './drive.js';

const run = promisify(execFile);

export interface ChartSeries {
  title: string;
  points: TimelinePoint[];
}

const cell = (v: number | null) => (v === null || !Number.isFinite(v) ? 'NaN' : v.toFixed(3));

async function writeData(dir: string, name: string, points: TimelinePoint[]): Promise<string> {
  const file = join(dir, `${name}.dat`);
  const rows = points.map((p) => [p.tS, p.concurrent, p.cpuPct, p.rssMb, p.jitterP99Ms].map(cell).join(' '));
  await writeFile(file, `# tS concurrent cpuPct rssMb jitterP99Ms\n${rows.join('\n')}\n`);
  return file;
}

const q = (s: string) => `"${s.replaceAll('"', "'")}"`;

/**
 * PNG charts with gnuplot (Debian gnuplot-nox): jitter against concurrent calls, and CPU,
 * memory and concurrency over time. Returns the files written, or throws when gnuplot is missing.
 */
export async function renderCharts(dir: string, series: ChartSeries[]): Promise<string[]> {
  const data = await Promise.all(series.map((s, i) => writeData(dir, `timeline-${i}`, s.points)));
  const jitterPng = join(dir, 'jitter-vs-concurrency.png');
  const resourcesPng = join(dir, 'cpu-memory.png');
  const plotEach = (using: string, style: string) =>
    series.map((s, i) => `${q(data[i]!)} using ${using} with ${style} title ${q(s.title)}`).join(', ');
  const script = [
    'set terminal pngcairo size 900,520 font "sans,10"',
    'set grid', 'set key top left',
    `set output ${q(jitterPng)}`,
    'set title "Outbound RTP jitter (RFC 3550, p99 per second) vs concurrent calls"',
    'set xlabel "concurrent calls"', 'set ylabel "jitter p99 (ms)"', 'set yrange [0:*]',
    `plot ${plotEach('2:5', 'points pt 7 ps 0.8')}, 5 with lines dt 2 lc rgb "red" title "target 5 ms"`,
    `set output ${q(resourcesPng)}`,
    'set autoscale y',
    'set multiplot layout 3,1 title "Load over time"',
    'set xlabel ""', 'set ylabel "calls up"', 'set title ""',
    `plot ${plotEach('1:2', 'lines lw 2')}`,
    'set ylabel "CPU (% of a core)"',
    `plot ${plotEach('1:3', 'lines lw 2')}`,
    'set ylabel "RSS (MB)"', 'set xlabel "seconds"',
    `plot ${plotEach('1:4', 'lines lw 2')}`,
    'unset multiplot',
  ].join('\n');
  await runGnuplot(dir, script);
  return [jitterPng, resourcesPng];
}

export interface RampChartStep {
  concurrency: number;
  jitterP99Ms: number | null;
  baselineJitterP99Ms: number | null;
  cpuSteadyPct: number | null;
  baselineCpuSteadyPct: number | null;
  rssMaxMb: number | null;
}

/** Knee chart of a ramp: jitter p99 per step beside SIPp↔SIPp's, and CPU and RSS per step. */
export async function renderRampChart(dir: string, steps: RampChartStep[]): Promise<string> {
  const file = join(dir, 'ramp.dat');
  const rows = steps.map((s) => [s.concurrency, s.jitterP99Ms, s.baselineJitterP99Ms, s.cpuSteadyPct, s.baselineCpuSteadyPct, s.rssMaxMb].map(cell).join(' '));
  await writeFile(file, `# calls jitterP99Ms baselineJitterP99Ms cpuSteadyPct baselineCpuSteadyPct rssMaxMb\n${rows.join('\n')}\n`);
  const png = join(dir, 'ramp.png');
  const f = q(file);
  await runGnuplot(dir, [
    'set terminal pngcairo size 900,700 font "sans,10"', 'set grid', 'set key top left opaque box',
    `set output ${q(png)}`, 'set multiplot layout 2,1 title "Ramp: a fresh server per step, each beside SIPp↔SIPp at the same load"',
    'set ylabel "outbound jitter p99 (ms)"', 'set yrange [0:*]',
    `plot ${f} using 1:2 with linespoints lw 2 pt 7 title "PhoneVoice", ${f} using 1:3 with linespoints lw 2 dt 3 pt 6 title "SIPp↔SIPp", 5 with lines dt 2 lc rgb "red" title "5 ms"`,
    'set xlabel "concurrent calls"', 'set ylabel "CPU, all calls up (% of a core)"', 'set y2label "RSS (MB)"', 'set y2tics', 'set y2range [0:*]',
    `plot ${f} using 1:4 with linespoints lw 2 pt 7 title "PhoneVoice CPU", ${f} using 1:5 with linespoints lw 2 dt 3 pt 6 title "SIPp callee CPU", ` +
      `${f} using 1:6 axes x1y2 with linespoints lw 2 pt 5 title "PhoneVoice RSS"`,
    'unset multiplot',
  ].join('\n'));
  return png;
}

async function runGnuplot(dir: string, script: string): Promise<void> {
  const file = join(dir, `chart-${Date.now()}.gp`);
  await writeFile(file, script);
  try {
    await run('gnuplot', [file]);
  } catch (err) {
    throw new Error(`gnuplot failed (Debian package gnuplot-nox): ${(err as Error).message}`);
  }
}
