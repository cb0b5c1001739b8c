/**
 * The one media clock of the process: every RTP session rides its 20 ms tick to send its
 * next frame, instead of one timer per call.
 *
 * - No drift: each tick is scheduled against the absolute start time
 *   (`start + n × period`, read from the monotonic `performance.now()`, no BigInt per
 *   reading), so timer lateness never accumulates the way chained `setInterval` callbacks do.
 * - Sends first: a tick runs every subscriber's `send` before anyone's `receive` (jitter
 *   buffer, resampling, listeners), so the last packet of a tick waits only for the other
 *   sends, not for all the receive work.
 * - Staggered slots: the period is split into `slots` sub-ticks and each subscriber is
 *   placed in the least busy slot, so 400 sessions send as 4 bursts of 100 spread over the
 *   20 ms rather than one burst of 400. Each subscriber still ticks exactly every period.
 * - Catch-up: after an event-loop stall missed sub-ticks run back to back (up to
 *   `maxCatchUpTicks` periods) so RTP timestamps stay true to wall time; after a longer
 *   stall the clock skips ahead rather than bursting seconds of audio.
 */

export interface MediaClockOptions {
  periodMs: number;
  slots: number;
  maxCatchUpTicks: number;
}

export const defaultMediaClockOptions: MediaClockOptions = { periodMs: 20, slots: 4, maxCatchUpTicks: 10 };

/** `tick` counts this subscriber's periods since the clock started. */
export interface ClockSubscriber {
  send?(tick: number): void;
  receive?(tick: number): void;
}

export class MediaClock {
  readonly periodMs: number;
  readonly slots: number;
  #subMs: number;
  #maxCatchUpSubTicks: number;
  #slotSubscribers: ClockSubscriber[][];
  #count = 0;
  #startMs = 0;
  /** Sub-ticks run so far; sub-tick k serves slot k % slots. */
  #sub = 0;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #onError: (err: unknown) => void;
  #afterSends: Array<(idealMs: number) => void> = [];

  constructor(options: Partial<MediaClockOptions> = {}, onError: (err: unknown) => void = () => {}) {
    const o = { ...defaultMediaClockOptions, ...options };
    this.periodMs = o.periodMs;
    this.slots = Math.max(1, Math.floor(o.slots));
    this.#subMs = o.periodMs / this.slots;
    this.#maxCatchUpSubTicks = o.maxCatchUpTicks * this.slots;
    this.#slotSubscribers = Array.from({ length: this.slots }, () => []);
    this.#onError = onError;
  }

  get subscribers(): number {
    return this.#count;
  }

  /** Milliseconds since the clock started (0 when stopped). */
  nowMs(): number {
    return this.#running ? performance.now() - this.#startMs : 0;
  }

  /** How late "now" is against the ideal time of the sub-tick being run (send jitter). */
  lateMs(): number {
    return this.nowMs() - this.#sub * this.#subMs;
  }

  /** Subscribe; the clock runs while it has at least one subscriber. */
  subscribe(subscriber: ClockSubscriber): () => void {
    let slot = 0;
    for (let s = 1; s < this.slots; s++) if (this.#slotSubscribers[s]!.length < this.#slotSubscribers[slot]!.length) slot = s;
    this.#slotSubscribers[slot] = [...this.#slotSubscribers[slot]!, subscriber];
    this.#count++;
    if (!this.#running) this.#start();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#slotSubscribers[slot] = this.#slotSubscribers[slot]!.filter((s) => s !== subscriber);
      if (--this.#count === 0) this.#stop();
    };
  }

  /**
   * Called after each sub-tick's sends, before its receive work (a batched transport flushes
   * here), with the time that sub-tick was due, on the `performance.now()` scale: a transport
   * that sends later on its own clock (`UdpThread`'s send lead) times the packets from it.
   */
  onSendsDone(listener: (idealMs: number) => void): () => void {
    this.#afterSends = [...this.#afterSends, listener];
    return () => {
      this.#afterSends = this.#afterSends.filter((l) => l !== listener);
    };
  }

  #start(): void {
    this.#running = true;
    this.#startMs = performance.now();
    this.#sub = 0;
    this.#schedule();
  }

  #stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    const delay = Math.max(0, (this.#sub + 1) * this.#subMs - this.nowMs());
    // setTimeout fires at the earliest after the whole milliseconds asked; flooring keeps
    // the average lateness near half a millisecond instead of one.
    this.#timer = setTimeout(this.#onTimer, Math.floor(delay));
  }

  #onTimer = (): void => {
    this.#timer = null;
    if (!this.#running) return;
    let due = Math.floor(this.nowMs() / this.#subMs) - this.#sub;
    if (due > this.#maxCatchUpSubTicks) {
      // Too far behind: skip whole periods, keeping every slot's cadence.
      const skip = Math.floor((due - 1) / this.slots) * this.slots;
      this.#sub += skip;
      due -= skip;
    }
    for (let i = 0; i < due && this.#running; i++) this.#runSubTick(++this.#sub);
    if (this.#running) this.#schedule();
  };

  #runSubTick(sub: number): void {
    const subscribers = this.#slotSubscribers[sub % this.slots]!;
    const tick = Math.floor(sub / this.slots);
    for (let j = 0; j < subscribers.length; j++) {
      try {
        subscribers[j]!.send?.(tick);
      } catch (err) {
        this.#onError(err);
      }
    }
    const idealMs = this.#startMs + sub * this.#subMs;
    for (const done of this.#afterSends) done(idealMs);
    for (let j = 0; j < subscribers.length; j++) {
      try {
        subscribers[j]!.receive?.(tick);
      } catch (err) {
        this.#onError(err);
      }
    }
  }
}

let shared: MediaClock | null = null;

/** The process-wide clock every session uses unless a test passes its own. */
export function sharedMediaClock(): MediaClock {
  shared ??= new MediaClock();
  return shared;
}
