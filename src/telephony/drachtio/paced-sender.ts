/**
 * Plays queued assistant audio out in real time, one frame per period, and reports marks
 * as the frames before them leave. FreeSWITCH's mod_audio_fork keeps only a small
 * pre-buffer, so audio must arrive at line rate for marks and barge-in to mean "heard".
 */
export interface PacedSenderOptions {
  frameSamples: number;
}

interface Chunk { pcm: Int16Array; offset: number }
interface PendingMark { name: string; atSample: number }

export class PacedSender {
  readonly #opts: PacedSenderOptions;
  readonly #chunks: Chunk[] = [];
  readonly #marks: PendingMark[] = [];
  #queuedSamples = 0;
  #sentSamples = 0;

  constructor(opts: PacedSenderOptions) { this.#opts = opts; }

  get queuedSamples(): number { return this.#queuedSamples; }

  enqueue(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.#chunks.push({ pcm, offset: 0 });
    this.#queuedSamples += pcm.length;
  }

  mark(name: string): void {
    this.#marks.push({ name, atSample: this.#sentSamples + this.#queuedSamples });
  }

  /** Drop everything queued; returns the marks that will never play. */
  clear(): string[] {
    this.#chunks.length = 0;
    this.#queuedSamples = 0;
    const dropped = this.#marks.map((m) => m.name);
    this.#marks.length = 0;
    return dropped;
  }

  /**
   * Copy the next frame into `out` (silence-padded); returns samples of real audio copied
   * (0 = nothing queued) and calls `onMark` for each mark now fully played.
   */
  next(out: Int16Array, onMark: (name: string) => void): number {
    let filled = 0;
    const want = this.#opts.frameSamples;
    while (filled < want && this.#chunks.length > 0) {
      const c = this.#chunks[0]!;
      const n = Math.min(want - filled, c.pcm.length - c.offset);
      out.set(c.pcm.subarray(c.offset, c.offset + n), filled);
      filled += n;
      c.offset += n;
      if (c.offset >= c.pcm.length) this.#chunks.shift();
    }
    if (filled < want) out.fill(0, filled);
    this.#queuedSamples -= filled;
    this.#sentSamples += filled;
    while (this.#marks.length > 0 && this.#marks[0]!.atSample <= this.#sentSamples) onMark(this.#marks.shift()!.name);
    return filled;
  }
}
