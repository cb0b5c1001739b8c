import { fmt } from './stats.js';

export interface ProgressSnapshot {
  elapsedS: number;
  attempted: number;
  ok: number;
  failed: number;
  concurrent: number;
  cps: number;
  cpuPct: number | null;
  rssMb: number | null;
}

export function formatProgress(label: string, p: ProgressSnapshot): string {
  return (
    `[${label}] ${fmt(p.elapsedS, 0)}s  calls ${p.attempted} ok ${p.ok} failed ${p.failed}  ` +
    `up ${p.concurrent}  ${fmt(p.cps, 1)} cps  cpu ${fmt(p.cpuPct, 0)}%  rss ${fmt(p.rssMb, 0)} MB`
  );
}

/** One `\r`-rewritten line on a terminal; a plain line every few seconds when piped (CI logs). */
export class ProgressLine {
  #tty = process.stderr.isTTY === true;
  #lastPlainMs = 0;
  #enabled: boolean;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  update(line: string): void {
    if (!this.#enabled) return;
    if (this.#tty) {
      process.stderr.write(`\r${line.padEnd(100).slice(0, Math.max(100, line.length))}`);
    } else if (performance.now() - this.#lastPlainMs > 5000) {
      this.#lastPlainMs = performance.now();
      process.stderr.write(`${line}\n`);
    }
  }

  done(): void {
    if (this.#enabled && this.#tty) process.stderr.write('\n');
  }
}
