import { LlmError } from './errors.js';

/**
 * Abort a streamed request when the model goes quiet: `idleMs` before the first chunk and
 * between chunks. A total deadline would cut off long but healthy answers; silence is what
 * the caller notices.
 */
export class IdleTimeout {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #provider: string;
  #timer: NodeJS.Timeout | null = null;
  readonly signal: AbortSignal;

  constructor(idleMs: number, provider: string, callerSignal?: AbortSignal) {
    this.#idleMs = idleMs;
    this.#provider = provider;
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.#controller.signal]) : this.#controller.signal;
    this.touch();
  }

  get timedOut(): boolean {
    return this.#controller.signal.aborted;
  }

  touch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#controller.abort(new LlmError('timeout', `${this.#provider}: no output for ${this.#idleMs} ms`)), this.#idleMs);
    this.#timer.unref?.();
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
