export interface SilenceMonitorOptions {
  timeoutMs: number;
  /** First timeout: remind ("Are you still there?"). */
  onReminder: () => void;
  /** Second timeout in a row: give up. */
  onTimeout: () => void;
}

/**
 * Counts silence only while nobody speaks: the conversation `hold()`s it while the caller or
 * the assistant talks and `restart()`s it when the line goes quiet. One reminder, then hang-up.
 */
export class SilenceMonitor {
  readonly #opts: SilenceMonitorOptions;
  #timer: NodeJS.Timeout | null = null;
  #reminded = false;
  #stopped = false;

  constructor(options: SilenceMonitorOptions) {
    this.#opts = options;
  }

  /** The line went quiet. `afterReminder` keeps the reminder state (the reminder itself just played). */
  restart(afterReminder = false): void {
    if (this.#stopped || this.#opts.timeoutMs <= 0) return;
    if (!afterReminder) this.#reminded = false;
    this.hold();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#reminded) this.#opts.onTimeout();
      else { this.#reminded = true; this.#opts.onReminder(); }
    }, this.#opts.timeoutMs);
    this.#timer.unref?.();
  }

  /** Somebody is speaking. */
  hold(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  stop(): void {
    this.#stopped = true;
    this.hold();
  }
}
