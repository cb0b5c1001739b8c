import { readFileSync } from 'node:fs';

export interface ProcSample {
  /** Ms since the sampler started. */
  tMs: number;
  /** CPU used since the previous sample, % of one core (200 = two cores busy); summed over the processes. */
  cpuPct: number;
  /** Summed over the processes. */
  rssMb: number;
  /** Each process's share, by name, when several are sampled together (the drachtio engine: node, drachtio-server, FreeSWITCH). */
  parts?: Record<string, ProcUsage>;
}

export interface ProcUsage { cpuPct: number; rssMb: number }

/** One process of a group sampled together. */
export interface SampledProcess { name: string; pid: number }

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

/**
 * Samples the CPU and RSS of one process, or of a group of processes (summed, with each one's
 * share in `parts`), from /proc every `intervalMs` until stopped.
 */
export class ProcSampler {
  readonly samples: ProcSample[] = [];
  #procs: SampledProcess[];
  #o: ProcSamplerOptions;
  #timer: NodeJS.Timeout | null = null;
  #t0 = 0;
  #lastTicks: number[] = [];
  #lastMs = 0;

  constructor(pids: number | SampledProcess[], options: Partial<ProcSamplerOptions> = {}) {
    this.#procs = typeof pids === 'number' ? [{ name: 'server', pid: pids }] : pids;
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
    let ticks: number[];
    let rssKb: number[];
    try {
      ticks = this.#procs.map((p) => readCpuTicks(readFileSync(`/proc/${p.pid}/stat`, 'utf8')));
      rssKb = this.#procs.map((p) => readRssKb(readFileSync(`/proc/${p.pid}/status`, 'utf8')));
    } catch {
      return; // a process has exited; keep what was sampled
    }
    const now = performance.now();
    if (this.#lastTicks.length) {
      const seconds = (now - this.#lastMs) / 1000;
      const usage = this.#procs.map((_, i) => ({
        cpuPct: ((ticks[i]! - this.#lastTicks[i]!) / this.#o.ticksPerS / seconds) * 100, rssMb: rssKb[i]! / 1024,
      }));
      this.samples.push({
        tMs: Math.round(now - this.#t0),
        cpuPct: usage.reduce((a, u) => a + u.cpuPct, 0),
        rssMb: usage.reduce((a, u) => a + u.rssMb, 0),
        ...(usage.length > 1 ? { parts: Object.fromEntries(this.#procs.map((p, i) => [p.name, usage[i]!])) } : {}),
      });
    }
    this.#lastTicks = ticks;
    this.#lastMs = now;
  }
}
