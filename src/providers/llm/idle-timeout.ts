import { LlmError, toLlmError } from './errors.js';

/**
 * Abort a streamed request when the model goes quiet: `idleMs` before the first chunk and
 * between chunks. A total deadline would cut off long but healthy answers; silence is what
 * the caller notices.
 */
export class IdleTimeout {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #provider: string;
  readonly #callerSignal: AbortSignal | undefined;
  #timer: NodeJS.Timeout | null = null;
  readonly signal: AbortSignal;

  constructor(idleMs: number, provider: string, callerSignal?: AbortSignal) {
    this.#idleMs = idleMs;
    this.#provider = provider;
    this.#callerSignal = callerSignal;
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.#controller.signal]) : this.#controller.signal;
    this.touch();
  }

  get timedOut(): boolean {
    return this.#controller.signal.aborted;
  }

  /** What a failed stream throws: our own silence timeout, else the provider's error mapped. */
  failure(err: unknown): unknown {
    return this.timedOut ? this.#controller.signal.reason : toLlmError(err, this.#provider, this.#callerSignal);
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

/**
 * A streamed request under an idle timeout: `stream` gets the timeout (its signal to pass on,
 * `touch()` per chunk), and whatever it throws comes out as `failure()`.
 */
export async function* idleGuarded<T>(
  idleMs: number,
  provider: string,
  callerSignal: AbortSignal | undefined,
  stream: (idle: IdleTimeout) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const idle = new IdleTimeout(idleMs, provider, callerSignal);
  try {
    yield* stream(idle);
  } catch (err) {
    throw idle.failure(err);
  } finally {
    idle.dispose();
  }
}
