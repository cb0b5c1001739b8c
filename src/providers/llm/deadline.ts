/**
 * A signal that aborts when the parent does or after `ms`. Held by a real timer: a signal made
 * with `AbortSignal.any([parent, AbortSignal.timeout(ms)])` can be garbage-collected before it
 * fires, which showed up here as rare requests that never timed out. Always `dispose()`.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #parent: AbortSignal | undefined;
  readonly #onParent = () => this.#controller.abort(this.#parent?.reason);
  readonly signal: AbortSignal;

  constructor(readonly ms: number, parent?: AbortSignal) {
    this.#parent = parent;
    this.signal = this.#controller.signal;
    this.#timer = setTimeout(() => this.#controller.abort(new DOMException(`no result within ${ms} ms`, 'TimeoutError')), ms);
    if (parent?.aborted) this.#onParent();
    else parent?.addEventListener('abort', this.#onParent, { once: true });
  }

  /** The time ran out (as opposed to the parent aborting). */
  get expired(): boolean {
    return this.signal.aborted && (this.signal.reason as Error | undefined)?.name === 'TimeoutError' && !this.#parent?.aborted;
  }

  /** Settle with `work`, or reject at the deadline even if `work` ignores the signal. */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.signal.reason);
      if (this.signal.aborted) return onAbort();
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => this.signal.removeEventListener('abort', onAbort));
    });
  }

  /** Stop the clock but keep following the parent (work that has started producing may take its time). */
  disarm(): void {
    clearTimeout(this.#timer);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener('abort', this.#onParent);
  }
}
