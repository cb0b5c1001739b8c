/**
 * Milliseconds on the process's monotonic clock (`process.hrtime`), one scale for every thread:
 * `performance.now()` counts from a time origin that a worker thread may not share, so a time
 * handed from one thread to another goes through this scale.
 */
const offsetMs = Number(process.hrtime.bigint()) / 1e6 - performance.now();

/** Now, on the shared monotonic scale. */
export function monoNowMs(): number {
  return performance.now() + offsetMs;
}

/** A `performance.now()` reading of this thread, on the shared monotonic scale. */
export function toMonoMs(performanceNowMs: number): number {
  return performanceNowMs + offsetMs;
}
