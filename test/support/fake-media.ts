import type { MediaSession, MediaStats } from '../../src/media/types.js';

/** MediaSession double: records what the assistant played and what DTMF was sent; tests push caller audio. */
export class FakeMediaSession implements MediaSession {
  readonly inputSampleRate = 16_000;
  readonly played: Array<{ samples: number; sampleRate: number }> = [];
  readonly dtmfSent: string[] = [];
  readonly #audio = new Set<(frame: Int16Array) => void>();
  readonly #marks = new Set<(name: string) => void>();
  readonly #clears = new Set<(marks: string[]) => void>();
  readonly #dtmf = new Set<(digit: string, durationMs: number) => void>();
  #pendingMarks: string[] = [];
  #queuedMs = 0;
  #closed = false;

  onAudio(l: (frame: Int16Array) => void) { this.#audio.add(l); return () => void this.#audio.delete(l); }
  play(pcm: Int16Array, sampleRate: number): void {
    if (this.#closed) return;
    this.played.push({ samples: pcm.length, sampleRate });
    this.#queuedMs += (pcm.length / sampleRate) * 1000;
  }
  mark(name: string): void {
    this.#pendingMarks.push(name);
    // Nothing really plays: a mark is reached on the next tick, as if the queue drained instantly.
    queueMicrotask(() => {
      if (!this.#pendingMarks.includes(name)) return;
      this.#pendingMarks = this.#pendingMarks.filter((m) => m !== name);
      this.#queuedMs = 0;
      for (const l of this.#marks) l(name);
    });
  }
  onMark(l: (name: string) => void) { this.#marks.add(l); return () => void this.#marks.delete(l); }
  clear(): void {
    const discarded = this.#pendingMarks;
    this.#pendingMarks = [];
    this.#queuedMs = 0;
    for (const l of this.#clears) l(discarded);
  }
  onClear(l: (marks: string[]) => void) { this.#clears.add(l); return () => void this.#clears.delete(l); }
  queuedMs(): number { return this.#queuedMs; }
  onDtmf(l: (digit: string, durationMs: number) => void) { this.#dtmf.add(l); return () => void this.#dtmf.delete(l); }
  async sendDtmf(digits: string): Promise<void> {
    if (this.#closed) throw new Error('media session closed');
    this.dtmfSent.push(digits);
  }
  stats(): MediaStats {
    return { codec: 'PCMU', packetsSent: this.played.length, packetsReceived: 0, packetsLost: 0, jitterMs: 0 };
  }

  /** Test side: the caller presses a key. */
  pressDtmf(digit: string): void { for (const l of this.#dtmf) l(digit, 100); }
  /** Test side: one frame of caller audio. */
  pushAudio(frame: Int16Array): void { for (const l of this.#audio) l(frame); }
  close(): void { this.#closed = true; }
}
