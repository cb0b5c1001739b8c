import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarize, type Summary } from './stats.js';

/** One row of SIPp's -trace_stat CSV, by column name. */
export type StatRow = Record<string, string>;

export interface SippPoint {
  /** Seconds since SIPp started. */
  tS: number;
  current: number;
  created: number;
  succeeded: number;
  failed: number;
}

export interface SippSummary {
  attempted: number;
  succeeded: number;
  failed: number;
  /** SIP status of unexpected final responses (486, 503, …) → count. */
  failedByCode: Record<string, number>;
  /** SIPp's own failure reasons (FailedMaxUDPRetrans, FailedTimeoutOnRecv, …) → count. */
  failedByReason: Record<string, number>;
  /** Calls created ÷ seconds it took to create them. */
  cps: number;
  peakConcurrency: number;
  retransmissions: number;
  /** INVITE → 200 OK (uac) or 200 → ACK (uas), from -trace_rtt; null when SIPp wrote none. */
  setupMs: Summary | null;
  series: SippPoint[];
}

/** SIPp writes `;`-separated rows with a header line; the last row holds the cumulative figures. */
export function parseStatCsv(text: string): StatRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) return [];
  const header = lines[0]!.split(';');
  return lines.slice(1).map((line) => {
    const cells = line.split(';');
    const row: StatRow = {};
    header.forEach((name, i) => {
      if (name) row[name] = cells[i] ?? '';
    });
    return row;
  });
}

/** "hh:mm:ss" or "hh:mm:ss:micro" → seconds. */
export function parseSippDuration(text: string | undefined): number {
  if (!text) return NaN;
  const parts = text.split(':').map(Number);
  const [h = 0, m = 0, s = 0, us = 0] = parts;
  return h * 3600 + m * 60 + s + (parts.length > 3 ? us / 1e6 : 0);
}

const num = (row: StatRow | undefined, key: string): number => Number(row?.[key] ?? NaN) || 0;

export function summarizeStatRows(rows: StatRow[]): Omit<SippSummary, 'failedByCode' | 'setupMs'> {
  const last = rows.at(-1);
  const attempted = Math.max(num(last, 'OutgoingCall(C)'), num(last, 'IncomingCall(C)'));
  const series = rows.map((r) => ({
    tS: parseSippDuration(r['ElapsedTime(C)']),
    current: num(r, 'CurrentCall'),
    created: num(r, 'TotalCallCreated'),
    succeeded: num(r, 'SuccessfulCall(C)'),
    failed: num(r, 'FailedCall(C)'),
  }));
  const created = num(last, 'TotalCallCreated');
  const firstFull = series.find((p) => p.created >= created && created > 0);
  const firstCall = series.find((p) => p.created > 0);
  // Rows come once a period, so the span is rounded up to one period: a lower bound on CPS.
  const period = series.length > 1 ? series[1]!.tS - series[0]!.tS || 1 : 1;
  const span = firstFull && firstCall ? Math.max(period, firstFull.tS - firstCall.tS + period) : NaN;
  const failedByReason: Record<string, number> = {};
  for (const [key, value] of Object.entries(last ?? {})) {
    const m = /^Failed(\w+)\(C\)$/.exec(key);
    if (m && m[1] !== 'Call' && Number(value) > 0) failedByReason[m[1]!] = Number(value);
  }
  return {
    attempted,
    succeeded: num(last, 'SuccessfulCall(C)'),
    failed: num(last, 'FailedCall(C)'),
    failedByReason,
    cps: created > 0 ? created / span : 0,
    peakConcurrency: Math.max(0, ...series.map((p) => p.current)),
    retransmissions: num(last, 'Retransmissions(C)'),
    series,
  };
}

/** -trace_error_codes: `date time epoch;elapsed;486,486,` per dump period. */
export function parseErrorCodes(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const codes = line.split(';')[2] ?? '';
    for (const code of codes.split(',')) {
      if (/^\d{3}$/.test(code.trim())) counts[code.trim()] = (counts[code.trim()] ?? 0) + 1;
    }
  }
  return counts;
}

export interface RttRow {
  /** When the response came, ms since SIPp started. */
  atMs: number;
  /** The response time, whole ms. */
  ms: number;
}

/** -trace_rtt: `Date_ms;response_time_ms;rtd_no` rows. */
export function parseRtt(text: string): RttRow[] {
  const out: RttRow[] = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    const cells = line.split(';');
    const atMs = Number(cells[0]);
    const ms = Number(cells[1]);
    if (cells.length >= 3 && cells[1] !== '' && Number.isFinite(ms) && Number.isFinite(atMs)) out.push({ atMs, ms });
  }
  return out;
}

/**
 * Calls per second from the set-up times of the first and last call: exact where the stats
 * rows (one a second) can only bound it. Null with fewer than two calls.
 */
export function cpsFromRtt(rows: RttRow[]): number | null {
  if (rows.length < 2) return null;
  const starts = rows.map((r) => r.atMs - r.ms).sort((a, b) => a - b);
  const span = (starts.at(-1)! - starts[0]!) / 1000;
  return span > 0 ? (rows.length - 1) / span : null;
}

/** Reads everything one SIPp run (process `pid`) left in its folder. */
export async function readSippResults(dir: string, statCsv: string, prefix: string, pid?: number): Promise<SippSummary> {
  const rows = parseStatCsv(await readFile(statCsv, 'utf8').catch(() => ''));
  const names = await readdir(dir);
  const read = async (suffix: string) => {
    const name = names.find((n) => n.startsWith(`${prefix}_${pid ?? ''}`) && n.endsWith(suffix));
    return name ? readFile(join(dir, name), 'utf8') : '';
  };
  const rtt = parseRtt(await read('_rtt.csv'));
  const stats = summarizeStatRows(rows);
  return {
    ...stats,
    cps: cpsFromRtt(rtt) ?? stats.cps,
    failedByCode: parseErrorCodes(await read('_error_codes.csv')),
    setupMs: rtt.length ? summarize(rtt.map((r) => r.ms)) : null,
  };
}
