import { Resampler } from '../audio/resample.js';

/**
 * Assistant audio waiting to go out on the line, with named marks placed between samples.
 *
 * Audio is resampled to the line rate (8 kHz) only as the line needs it, a frame or two
 * ahead, not when it is queued: a TTS hands over a whole reply far faster than real time,
 * and a caller who barges in after a second throws the rest away, so converting on arrival
 * spent most of its CPU on audio nobody heard (and again on a resume after a false
 * interruption). Queued audio is kept by reference until it has played (the caller hands over
 * audio it will not modify: see `MediaSession.play`), so a long reply costs no second copy.
 *
 * Beyond `maxSeconds` queued, audio is dropped and counted rather than letting one runaway
 * TTS stream eat the process's memory. Positions are absolute line-rate sample counts, so a
 * mark is simply "fires once `played >= position`"; a mark behind audio not yet converted
 * gets its position when the conversion reaches it.
 */

export interface PlayoutQueueOptions {
  lineRate: number;
  maxSeconds: number;
}

export const defaultPlayoutQueueOptions: PlayoutQueueOptions = { lineRate: 8000, maxSeconds: 600 };

/** Input samples per resampler pass: within the resampler's own working buffer, which then never grows. */
const RESAMPLE_CHUNK = 480;

interface PendingMark {
  name: string;
  position: number;
}

/** Queued audio not yet converted (`offset` samples of it are), or a mark behind it. */
type Item = { pcm: Int16Array; rate: number; offset: number } | { mark: string };

export class PlayoutQueue {
  readonly lineRate: number;
  /** Converted audio at the line rate: a frame or two, growing only for a large resampler pass. */
  #ring = new Int16Array(1024);
  #maxSamples: number;
  #read = 0; // absolute count of line-rate samples taken out
  #write = 0; // absolute count of line-rate samples converted
  #items: Item[] = [];
  /** Line-rate samples the unconverted items will make (fractional while a rate does not divide). */
  #pending = 0;
  #marks: PendingMark[] = [];
  #resampler: Resampler | null = null;
  dropped = 0;

  constructor(options: Partial<PlayoutQueueOptions> = {}) {
    const o = { ...defaultPlayoutQueueOptions, ...options };
    this.lineRate = o.lineRate;
    this.#maxSamples = o.maxSeconds * o.lineRate;
  }

  /** Samples the line-rate buffer holds room for now (memory: 2 bytes each); queued audio at other rates is held as given. */
  get capacitySamples(): number {
    return this.#ring.length;
  }

  get queuedSamples(): number {
    return this.#write - this.#read + Math.round(this.#pending);
  }

  queuedMs(): number {
    return (this.queuedSamples * 1000) / this.lineRate;
  }

  /**
   * Append audio at any rate; it is resampled to the line rate as it comes up for playing.
   * It is kept, not copied: do not modify it afterwards.
   */
  push(pcm: Int16Array, sampleRate: number): void {
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`invalid sample rate ${sampleRate}`);
    const ratio = this.lineRate / sampleRate;
    const room = Math.max(0, this.#maxSamples - this.queuedSamples);
    let take = pcm.length;
    if (pcm.length * ratio > room) {
      take = Math.floor(room / ratio);
      this.dropped += Math.round((pcm.length - take) * ratio);
    }
    if (take === 0) return;
    const kept = take < pcm.length ? pcm.subarray(0, take) : pcm;
    this.#items.push({ pcm: kept, rate: sampleRate, offset: 0 });
    this.#pending += take * ratio;
  }

  mark(name: string): void {
    if (this.#items.length === 0) this.#marks.push({ name, position: this.#write });
    else this.#items.push({ mark: name });
  }

  /**
   * Convert queued audio until at least `samples` line-rate samples are ready (or nothing is
   * left). `read` does this itself; calling it after a tick's sends keeps the resampling out
   * of the next send.
   */
  prepare(samples: number): void {
    while (this.#write - this.#read < samples && this.#items.length > 0) {
      const head = this.#items[0]!;
      if ('mark' in head) {
        this.#marks.push({ name: head.mark, position: this.#write });
        this.#items.shift();
        continue;
      }
      const left = head.pcm.length - head.offset;
      let take: number;
      if (head.rate === this.lineRate) {
        take = Math.min(left, samples - (this.#write - this.#read));
        this.#append(head.pcm, head.offset, take);
      } else {
        if (this.#resampler?.inRate !== head.rate) this.#resampler = new Resampler(head.rate, this.lineRate);
        take = Math.min(left, RESAMPLE_CHUNK);
        this.#append(this.#resampler.process(head.pcm.subarray(head.offset, head.offset + take)));
      }
      head.offset += take;
      this.#pending -= (take * this.lineRate) / head.rate;
      if (head.offset === head.pcm.length) this.#items.shift();
    }
    // Marks right behind the audio just converted: their position is known now.
    while (this.#items.length > 0 && 'mark' in this.#items[0]!) {
      this.#marks.push({ name: (this.#items.shift() as { mark: string }).mark, position: this.#write });
    }
    if (this.#items.length === 0) this.#pending = 0; // no float residue once everything is converted
  }

  /**
   * Fill `frame` with the next samples (silence after the queue runs dry). Returns how
   * many real samples it took.
   */
  read(frame: Int16Array): number {
    this.prepare(frame.length);
    const n = Math.min(frame.length, this.#write - this.#read);
    const ring = this.#ring;
    const cap = ring.length;
    // Loops, not set(subarray()): no view objects per frame of every call.
    for (let i = 0, p = this.#read % cap; i < n; i++, p = p + 1 === cap ? 0 : p + 1) frame[i] = ring[p]!;
    if (n < frame.length) frame.fill(0, n);
    this.#read += n;
    return n;
  }

  /**
   * Marks whose audio has now gone out completely, in queue order. Call after the frame
   * from `read` was sent; `emit` is called for each.
   */
  takePlayedMarks(emit: (name: string) => void): void {
    while (this.#marks.length > 0 && this.#marks[0]!.position <= this.#read) emit(this.#marks.shift()!.name);
  }

  /** Empty the queue; returns the names of marks that will now never play, in queue order. */
  clear(): string[] {
    this.#read = this.#write;
    const discarded = this.#marks.map((m) => m.name);
    for (const item of this.#items) if ('mark' in item) discarded.push(item.mark);
    this.#items = [];
    this.#pending = 0;
    this.#marks = [];
    this.#resampler?.reset();
    return discarded;
  }

  #append(samples: Int16Array, from = 0, n = samples.length): void {
    const queued = this.#write - this.#read;
    if (queued + n > this.#ring.length) this.#grow(queued + n);
    const ring = this.#ring;
    const cap = ring.length;
    for (let i = 0, p = this.#write % cap; i < n; i++, p = p + 1 === cap ? 0 : p + 1) ring[p] = samples[from + i]!;
    this.#write += n;
  }

  /** Positions are absolute: the unread samples move to their places modulo the new capacity. */
  #grow(needed: number): void {
    let size = this.#ring.length;
    while (size < needed) size *= 2;
    const old = this.#ring;
    const ring = new Int16Array(size);
    for (let p = this.#read; p < this.#write; p++) ring[p % size] = old[p % old.length]!;
    this.#ring = ring;
  }
}
