/**
 * Every benchmark module in scripts/bench/ exports `default async function run(opts): Promise<BenchResult[]>`;
 * scripts/bench.ts runs them in turn and prints one summary table (and writes results/bench-*.json).
 * Each result is reported beside a baseline measured in the same run, as a ratio.
 */
export interface BenchResult {
  /** Area and measure, e.g. "api: create call". */
  name: string;
  /** Main figure, e.g. throughput or p99 latency. */
  value: number;
  unit: string;
  p50?: number;
  p95?: number;
  p99?: number;
  /** Baseline measured in the same run (e.g. a bare Hono route, SIPp UAS). */
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline.value (or the inverse when lower is better), stated in `note`. */
  ratio?: number;
  /** Target from the issue, when there is one, and whether it was met. */
  target?: string;
  met?: boolean;
  note?: string;
}

export interface BenchOptions {
  /** Shorter runs (CI smoke); the full set must still finish within 10 minutes on 2 cores. */
  quick: boolean;
  log: (line: string) => void;
}

export type BenchModule = (opts: BenchOptions) => Promise<BenchResult[]>;
