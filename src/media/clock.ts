/**
 * The one media clock of the process: a single 20 ms tick that every RTP session rides to
 * send its next frame, instead of one timer per call.
 *
 * Each tick is scheduled against the absolute start time (`start + n × period`, read from
 * `process.hrtime.bigint()`), so timer lateness never accumulates into drift the way
 * chained `setInterval` callbacks do. When the event loop stalls, missed ticks are run
 * back to back (up to `maxCatchUpTicks`) so RTP timestamps stay true to wall time; after a
 * longer stall the clock skips ahead rather than bursting seconds of audio.
 */

export interface MediaClockOptions {
  periodMs: number;
  maxCatchUpTicks: number;
}

export const defaultMediaClockOptions: MediaClockOptions = { periodMs: 20, maxCatchUpTicks: 10 };

/** Called once per tick; `tick` counts from the clock's start, `lateMs` is how late this tick runs. */
export type TickListener = (tick: number, lateMs: number) => void;

export class MediaClock {
  readonly periodMs: number;
  #maxCatchUp: number;
  #listeners: TickListener[] = [];
  #startNs = 0n;
  #tick = 0;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #onError: (err: unknown) => void;

  constructor(options: Partial<MediaClockOptions> = {}, onError: (err: unknown) => void = () => {}) {
    const o = { ...defaultMediaClockOptions, ...options };
    this.periodMs = o.periodMs;
    this.#maxCatchUp = o.maxCatchUpTicks;
    this.#onError = onError;
  }

  get subscribers(): number {
    return this.#listeners.length;
  }

  /** Milliseconds since the clock started (0 when stopped). */
  nowMs(): number {
    return this.#running ? Number(process.hrtime.bigint() - this.#startNs) / 1e6 : 0;
  }

  /** How late "now" is against the ideal time of the tick being run. */
  lateMs(): number {
    return this.nowMs() - this.#tick * this.periodMs;
  }

  /** Subscribe; the clock runs while it has at least one subscriber. */
  subscribe(listener: TickListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    if (!this.#running) this.#start();
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
      if (this.#listeners.length === 0) this.#stop();
    };
  }

  #start(): void {
    this.#running = true;
    this.#startNs = process.hrtime.bigint();
    this.#tick = 0;
    this.#schedule();
  }

  #stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    const next = (this.#tick + 1) * this.periodMs;
    const delay = Math.max(0, next - this.nowMs());
    // setTimeout fires at the earliest after the whole milliseconds asked; flooring keeps
    // the average lateness near half a millisecond instead of one.
    this.#timer = setTimeout(this.#onTimer, Math.floor(delay));
  }

  #onTimer = (): void => {
    this.#timer = null;
    if (!this.#running) return;
    const now = this.nowMs();
    let due = Math.floor(now / this.periodMs) - this.#tick;
    if (due <= 0) {
      // Woke early (timer granularity): wait for the rest of the period.
      this.#schedule();
      return;
    }
    if (due > this.#maxCatchUp) {
      this.#tick += due - 1;
      due = 1;
    }
    for (let i = 0; i < due && this.#running; i++) {
      this.#tick++;
      const late = this.nowMs() - this.#tick * this.periodMs;
      const listeners = this.#listeners;
      for (let j = 0; j < listeners.length; j++) {
        try {
          listeners[j]!(this.#tick, late);
        } catch (err) {
          this.#onError(err);
        }
      }
    }
    if (this.#running) this.#schedule();
  };
}

let shared: MediaClock | null = null;

/** The process-wide clock every session uses unless a test passes its own. */
export function sharedMediaClock(): MediaClock {
  shared ??= new MediaClock();
  return shared;
}
