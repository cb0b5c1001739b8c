import { Resampler } from '../audio/resample.js';

/**
 * Assistant audio waiting to go out on the line, at the line rate (8 kHz), with named
 * marks placed between samples.
 *
 * A ring of samples that grows (doubling) only when a producer queues more than it holds,
 * up to `maxSeconds`; beyond that audio is dropped and counted rather than letting one
 * runaway TTS stream eat the process's memory. Once it has played dry it shrinks back to
 * `initialSeconds`, so a call holds a long reply's memory only while that reply plays. Positions are absolute sample counts, so a
 * mark is simply "fires once `played >= position`".
 */

export interface PlayoutQueueOptions {
  lineRate: number;
  initialSeconds: number;
  maxSeconds: number;
}

export const defaultPlayoutQueueOptions: PlayoutQueueOptions = { lineRate: 8000, initialSeconds: 1, maxSeconds: 600 };

/** Input samples per resampler pass: within the resampler's own working buffer, which then never grows. */
const RESAMPLE_CHUNK = 480;

interface PendingMark {
  name: string;
  position: number;
}

export class PlayoutQueue {
  readonly lineRate: number;
  #ring: Int16Array;
  readonly #initialSamples: number;
  #maxSamples: number;
  #read = 0; // absolute count of samples taken out
  #write = 0; // absolute count of samples put in
  #marks: PendingMark[] = [];
  #resampler: Resampler | null = null;
  dropped = 0;

  constructor(options: Partial<PlayoutQueueOptions> = {}) {
    const o = { ...defaultPlayoutQueueOptions, ...options };
    this.lineRate = o.lineRate;
    this.#initialSamples = o.initialSeconds * o.lineRate;
    this.#ring = new Int16Array(this.#initialSamples);
    this.#maxSamples = o.maxSeconds * o.lineRate;
  }

  /** Samples the ring holds room for now (memory: 2 bytes each). */
  get capacitySamples(): number {
    return this.#ring.length;
  }

  get queuedSamples(): number {
    return this.#write - this.#read;
  }

  queuedMs(): number {
    return (this.queuedSamples * 1000) / this.lineRate;
  }

  /** Append audio at any rate; it is resampled to the line rate. */
  push(pcm: Int16Array, sampleRate: number): void {
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`invalid sample rate ${sampleRate}`);
    if (sampleRate === this.lineRate) {
      this.#append(pcm);
      return;
    }
    if (this.#resampler?.inRate !== sampleRate) this.#resampler = new Resampler(sampleRate, this.lineRate);
    // In slices, so a whole TTS utterance handed over at once does not grow the
    // resampler's working buffers to its size for the rest of the call.
    for (let i = 0; i < pcm.length; i += RESAMPLE_CHUNK) {
      this.#append(this.#resampler.process(pcm.subarray(i, Math.min(pcm.length, i + RESAMPLE_CHUNK))));
    }
  }

  mark(name: string): void {
    this.#marks.push({ name, position: this.#write });
  }

  /**
   * Fill `frame` with the next samples (silence after the queue runs dry). Returns how
   * many real samples it took.
   */
  read(frame: Int16Array): number {
    const n = Math.min(frame.length, this.queuedSamples);
    const cap = this.#ring.length;
    const start = this.#read % cap;
    const first = Math.min(n, cap - start);
    frame.set(this.#ring.subarray(start, start + first), 0);
    if (first < n) frame.set(this.#ring.subarray(0, n - first), first);
    if (n < frame.length) frame.fill(0, n);
    this.#read += n;
    if (n > 0 && this.#read === this.#write) this.#shrink();
    return n;
  }

  /**
   * Marks whose audio has now gone out completely, in queue order. Call after the frame
   * from `read` was sent; `emit` is called for each.
   */
  takePlayedMarks(emit: (name: string) => void): void {
    while (this.#marks.length > 0 && this.#marks[0]!.position <= this.#read) emit(this.#marks.shift()!.name);
  }

  /** Empty the queue; returns the names of marks that will now never play. */
  clear(): string[] {
    this.#read = this.#write;
    this.#shrink();
    this.#resampler?.reset();
    const discarded = this.#marks.map((m) => m.name);
    this.#marks = [];
    return discarded;
  }

  #append(samples: Int16Array): void {
    let n = samples.length;
    if (this.queuedSamples + n > this.#ring.length) this.#grow(this.queuedSamples + n);
    if (this.queuedSamples + n > this.#ring.length) {
      const room = this.#ring.length - this.queuedSamples;
      this.dropped += n - room;
      n = room;
    }
    const cap = this.#ring.length;
    const start = this.#write % cap;
    const first = Math.min(n, cap - start);
    this.#ring.set(samples.subarray(0, first), start);
    if (first < n) this.#ring.set(samples.subarray(first, n), 0);
    this.#write += n;
  }

  /** Empty queue only: positions are absolute, so nothing moves. */
  #shrink(): void {
    if (this.#ring.length > this.#initialSamples) this.#ring = new Int16Array(this.#initialSamples);
  }

  #grow(needed: number): void {
    let size = this.#ring.length;
    while (size < needed && size < this.#maxSamples) size *= 2;
    size = Math.min(size, this.#maxSamples);
    if (size <= this.#ring.length) return;
    // Counters stay absolute (marks hold absolute positions): the queued samples move to
    // their positions modulo the new capacity.
    const queued = new Int16Array(this.queuedSamples);
    const read = this.#read;
    this.read(queued);
    this.#read = read;
    this.#ring = new Int16Array(size);
    const start = read % size;
    const first = Math.min(queued.length, size - start);
    this.#ring.set(queued.subarray(0, first), start);
    if (first < queued.length) this.#ring.set(queued.subarray(first), 0);
  }
}
