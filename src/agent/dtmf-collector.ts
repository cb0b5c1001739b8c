export interface DtmfCollectorOptions {
  /** A pause this long after the last key ends the entry. */
  interDigitMs: number;
  /** `#` ends the entry at once (the usual "press pound when done"). */
  terminator: string | null;
  /** `startedAt`: the time passed with the entry's first key. */
  onEntry: (digits: string, startedAt: number) => void;
}

export const defaultDtmfCollectorOptions = { interDigitMs: 1_500, terminator: '#' } satisfies Partial<DtmfCollectorOptions>;

/**
 * Gathers keypad presses into one entry ("1234#") for models that only understand text: the
 * entry becomes a user turn. Live custom LLMs get each digit as an event instead.
 */
export class DtmfCollector {
  readonly #opts: DtmfCollectorOptions;
  #digits = '';
  #timer: NodeJS.Timeout | null = null;
  #startedAt = 0;

  constructor(options: Partial<DtmfCollectorOptions> & Pick<DtmfCollectorOptions, 'onEntry'>) {
    this.#opts = { ...defaultDtmfCollectorOptions, ...options };
  }

  push(digit: string, at = Date.now()): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (!this.#digits) this.#startedAt = at;
    this.#digits += digit;
    if (digit === this.#opts.terminator) return this.#flush();
    this.#timer = setTimeout(() => this.#flush(), this.#opts.interDigitMs);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#digits = '';
  }

  #flush(): void {
    this.#timer = null;
    const digits = this.#digits;
    this.#digits = '';
    if (digits) this.#opts.onEntry(digits, this.#startedAt);
  }
}
