import { readFileSync } from 'node:fs';

export interface ProcSample {
  /** Ms since the sampler started. */
  tMs: number;
  /** CPU used since the previous sample, % of one core (200 = two cores busy). */
  cpuPct: number;
  rssMb: number;
}

export interface ProcSamplerOptions {
  intervalMs: number;
  /** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
  ticksPerS: number;
}

const defaultProcSamplerOptions: ProcSamplerOptions = { intervalMs: 500, ticksPerS: 100 };

/** utime + stime in ticks; the comm field may hold spaces and parentheses, so split after the last ")". */
export function readCpuTicks(statText: string): number {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // After ")": state is field 3 of proc(5), utime 14 and stime 15 → indexes 11 and 12 here.
  return Number(fields[11]) + Number(fields[12]);
}

export function readRssKb(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return m ? Number(m[1]) : NaN;
}

/** Samples one process's CPU and RSS from /proc every `intervalMs` until stopped. */
export class ProcSampler {
  readonly samples: ProcSample[] = [];
  #pid: number;
  #o: ProcSamplerOptions;
  #timer: NodeJS.Timeout | null = null;
  #t0 = 0;
  #lastTicks = NaN;
  #lastMs = 0;

  constructor(pid: number, options: Partial<ProcSamplerOptions> = {}) {
    this.#pid = pid;
    this.#o = { ...defaultProcSamplerOptions, ...options };
  }

  start(): this {
    this.#t0 = performance.now();
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#o.intervalMs);
    this.#timer.unref();
    return this;
  }

  stop(): ProcSample[] {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    return this.samples;
  }

  get latest(): ProcSample | undefined {
    return this.samples.at(-1);
  }

  #sample(): void {
    let ticks: number;
    let rssKb: number;
    try {
      ticks = readCpuTicks(readFileSync(`/proc/${this.#pid}/stat`, 'utf8'));
      rssKb = readRssKb(readFileSync(`/proc/${this.#pid}/status`, 'utf8'));
    } catch {
      return; // the process has exited; keep what was sampled
    }
    const now = performance.now();
    if (!Number.isNaN(this.#lastTicks)) {
      const cpuPct = ((ticks - this.#lastTicks) / this.#o.ticksPerS / ((now - this.#lastMs) / 1000)) * 100;
      this.samples.push({ tMs: Math.round(now - this.#t0), cpuPct, rssMb: rssKb / 1024 });
    }
    this.#lastTicks = ticks;
    this.#lastMs = now;
  }
}
