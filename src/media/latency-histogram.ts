/**
 * Fixed-bin histogram for per-packet timing (send jitter): recording is one increment in a
 * preallocated array, so it can sit on the hot path; percentiles are read on demand.
 */
export class LatencyHistogram {
  #bins: Uint32Array;
  #binMs: number;
  #count = 0;

  constructor(maxMs = 200, binMs = 0.1) {
    this.#binMs = binMs;
    this.#bins = new Uint32Array(Math.ceil(maxMs / binMs) + 1);
  }

  get count(): number {
    return this.#count;
  }

  /** Record a non-negative value; anything beyond the range lands in the last bin. */
  record(ms: number): void {
    const i = Math.floor((ms < 0 ? 0 : ms) / this.#binMs);
    this.#bins[i < this.#bins.length ? i : this.#bins.length - 1]!++;
    this.#count++;
  }

  /** Upper edge of the bin holding quantile q (0…1), in ms; 0 when empty. */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#bins.length; i++) {
      seen += this.#bins[i]!;
      if (seen >= target) return (i + 1) * this.#binMs;
    }
    return this.#bins.length * this.#binMs;
  }

  reset(): void {
    this.#bins.fill(0);
    this.#count = 0;
  }
}
