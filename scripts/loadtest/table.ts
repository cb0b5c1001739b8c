import type { BenchResult } from '../bench/types.js';
import { fmt } from './stats.js';

const HEADERS = ['name', 'value', 'unit', 'p50', 'p95', 'p99', 'baseline', 'ratio', 'target', 'met'] as const;
const NUMERIC = new Set<string>(['value', 'p50', 'p95', 'p99', 'ratio']);

function cells(r: BenchResult): string[] {
  return [
    r.name, fmt(r.value), r.unit, fmt(r.p50), fmt(r.p95), fmt(r.p99),
    r.baseline ? `${fmt(r.baseline.value)} ${r.baseline.unit} (${r.baseline.name})` : '',
    r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
    r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ];
}

/** GitHub-flavoured markdown; `|` inside cells escaped so a note cannot break the table. */
export function markdownTable(rows: BenchResult[]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const lines = [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map((h) => (NUMERIC.has(h) ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${cells(r).map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/** Fixed-width text for a terminal. */
export function textTable(rows: BenchResult[]): string {
  const all = [HEADERS as readonly string[], ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.min(60, Math.max(...all.map((row) => row[i]!.length))));
  const line = (row: readonly string[]) => row.map((c, i) => (i === 0 || i >= 8 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice().map((r) => line(cells(r)))].join('\n');
}
