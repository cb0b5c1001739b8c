/**
 * Growable PCM accumulator for a speech segment: one allocation per doubling, never per frame.
 * It holds memory only while a segment is open: the first append allocates, `clear()` lets go,
 * so the hundreds of calls that are listening to silence hold none.
 */
export class PcmBuffer {
  static readonly EMPTY = new Int16Array(0);
  readonly #initialSamples: number;
  #data: Int16Array = PcmBuffer.EMPTY;
  #length = 0;

  constructor(initialSamples = 16000) {
    this.#initialSamples = initialSamples;
  }

  get length(): number {
    return this.#length;
  }

  /** Samples of memory held now. */
  get capacity(): number {
    return this.#data.length;
  }

  append(samples: Int16Array): void {
    if (this.#length + samples.length > this.#data.length) {
      const grown = new Int16Array(Math.max(this.#data.length * 2, this.#initialSamples, this.#length + samples.length));
      grown.set(this.#data.subarray(0, this.#length));
      this.#data = grown;
    }
    this.#data.set(samples, this.#length);
    this.#length += samples.length;
  }

  /** A copy of the content (handed to STT, which may keep it). */
  take(): Int16Array {
    return this.#data.slice(0, this.#length);
  }

  clear(): void {
    this.#length = 0;
    this.#data = PcmBuffer.EMPTY;
  }
}

/** Fixed ring of the most recent samples: the pre-roll kept before speech is detected. */
export class PcmRing {
  readonly #data: Int16Array;
  #write = 0;
  #filled = 0;

  constructor(capacitySamples: number) {
    this.#data = new Int16Array(capacitySamples);
  }

  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      this.#data[this.#write] = samples[i]!;
      this.#write = (this.#write + 1) % this.#data.length;
    }
    this.#filled = Math.min(this.#data.length, this.#filled + samples.length);
  }

  /** Move the ring's content, oldest first, into `out`, and empty the ring. */
  drainInto(out: PcmBuffer): void {
    const start = (this.#write - this.#filled + this.#data.length) % this.#data.length;
    if (start + this.#filled <= this.#data.length) out.append(this.#data.subarray(start, start + this.#filled));
    else {
      out.append(this.#data.subarray(start));
      out.append(this.#data.subarray(0, this.#write));
    }
    this.#filled = 0;
  }
}
