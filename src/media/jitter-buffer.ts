/**
 * Receive jitter buffer keyed by RTP timestamp, so any packet time (10/20/30 ms) plays out
 * as steady 20 ms frames on the media clock.
 *
 * Decoded samples land in a ring at their timestamp position; playout starts
 * `delayMs` after the first packet and then reads one frame per tick, with silence
 * wherever nothing arrived in time. Duplicates (already written samples) and late packets
 * (behind the playout point) are dropped and counted. A timestamp jump (new talkspurt
 * after silence suppression, a new SSRC, or a sender whose clock runs away from ours)
 * re-anchors playout at the configured delay behind the newest packet.
 */

export interface JitterBufferOptions {
  /** Target delay before playout, ms. */
  delayMs: number;
  sampleRate: number;
  frameSamples: number;
  /**
   * Ring capacity in samples; packets further ahead than this re-anchor. 4096 at 8 kHz holds
   * 512 ms: a burst after a half-second network stall still lands in place (12 KB per call).
   */
  capacitySamples: number;
}

export const defaultJitterBufferOptions: JitterBufferOptions = {
  delayMs: 60,
  sampleRate: 8000,
  frameSamples: 160,
  capacitySamples: 4096,
};

/** Consecutive late packets after which we conclude our playout point is wrong, not the packets. */
const LATE_RESYNC = 4;
/**
 * Frames in a row with more than two frames above the target depth before one frame is
 * dropped: a sender whose clock runs fast (or a burst after a network stall) would
 * otherwise add its excess to the call's delay for the rest of the call.
 */
const DRAIN_AFTER_FRAMES = 50;

export class JitterBuffer {
  #ring: Int16Array;
  #filled: Uint8Array;
  #mask: number;
  #frame: Int16Array;
  #frameSamples: number;
  #delaySamples: number;
  #delayFrames: number;
  #anchored = false;
  /** RTP timestamp of the next sample to play. */
  #playTs = 0;
  #waitFrames = 0;
  #lateRun = 0;
  /** Timestamp just past the newest sample stored. */
  #newestEnd = 0;
  #highRun = 0;
  /** Frames discarded to bring an overfull buffer back to its target delay. */
  drained = 0;
  duplicates = 0;
  late = 0;
  /** Frames played with at least one missing sample once playout had begun. */
  concealedFrames = 0;

  constructor(options: Partial<JitterBufferOptions> = {}) {
    const o = { ...defaultJitterBufferOptions, ...options };
    this.#frameSamples = o.frameSamples;
    this.#frame = new Int16Array(o.frameSamples);
    this.#delayFrames = Math.max(0, Math.round(o.delayMs / ((o.frameSamples * 1000) / o.sampleRate)));
    this.#delaySamples = this.#delayFrames * o.frameSamples;
    // A deep configured delay gets room for twice itself on top of the capacity asked for.
    let cap = 1;
    while (cap < Math.max(o.capacitySamples, 2 * this.#delaySamples + 8 * o.frameSamples)) cap <<= 1;
    this.#ring = new Int16Array(cap);
    this.#filled = new Uint8Array(cap);
    this.#mask = cap - 1;
  }

  /** True once the first packet arrived and its delay has been waited out. */
  get playing(): boolean {
    return this.#anchored && this.#waitFrames === 0;
  }

  /** Forget everything (new SSRC after a re-INVITE). */
  reset(): void {
    this.#anchored = false;
    this.#filled.fill(0);
    this.#lateRun = 0;
  }

  /**
   * Store `length` decoded samples starting at RTP `timestamp`. `decode(ring, offset, n, srcOffset)`
   * writes n samples into the ring; it is called at most twice (wrap-around).
   * Returns "stored", "duplicate" or "late".
   */
  put(
    timestamp: number,
    length: number,
    marker: boolean,
    decode: (ring: Int16Array, ringOffset: number, count: number, srcOffset: number) => void,
  ): 'stored' | 'duplicate' | 'late' {
    if (!this.#anchored) this.#anchor(timestamp);
    let ahead = (timestamp - this.#playTs) | 0;
    const cap = this.#mask + 1;
    const jumped = ahead + length > cap - this.#frameSamples || (marker && ahead > 2 * this.#delaySamples + this.#frameSamples);
    if (jumped || (ahead < 0 && ++this.#lateRun >= LATE_RESYNC)) {
      // Play the new packet after exactly the configured delay, silence until then.
      this.#filled.fill(0);
      this.#anchor((timestamp - this.#delaySamples) >>> 0);
      this.#waitFrames = 0;
      ahead = this.#delaySamples;
    }
    if (ahead < 0) {
      this.late++;
      return 'late';
    }
    this.#lateRun = 0;
    const start = (this.#playTs + ahead) & this.#mask;
    if (this.#filled[start] === 1 && this.#filled[(start + length - 1) & this.#mask] === 1) {
      this.duplicates++;
      return 'duplicate';
    }
    if (ahead + length > ((this.#newestEnd - this.#playTs) | 0)) this.#newestEnd = (this.#playTs + ahead + length) >>> 0;
    const first = Math.min(length, cap - start);
    decode(this.#ring, start, first, 0);
    this.#filled.fill(1, start, start + first);
    if (first < length) {
      decode(this.#ring, 0, length - first, first);
      this.#filled.fill(1, 0, length - first);
    }
    return 'stored';
  }

  /**
   * The next 20 ms frame (reused buffer, copy to keep), or null while waiting for the
   * first packet and its delay.
   */
  pop(): Int16Array | null {
    if (!this.#anchored) return null;
    if (this.#waitFrames > 0) {
      this.#waitFrames--;
      return null;
    }
    const n = this.#frameSamples;
    const frame = this.#frame;
    const ring = this.#ring;
    const filled = this.#filled;
    const mask = this.#mask;
    if (((this.#newestEnd - this.#playTs) | 0) > this.#delaySamples + 3 * n) {
      if (++this.#highRun >= DRAIN_AFTER_FRAMES) {
        for (let i = 0; i < n; i++) filled[(this.#playTs + i) & mask] = 0;
        this.#playTs = (this.#playTs + n) >>> 0;
        this.#highRun = 0;
        this.drained++;
      }
    } else {
      this.#highRun = 0;
    }
    const start = this.#playTs & mask;
    const end = start + n;
    if (end <= mask + 1) {
      // The usual frame: contiguous in the ring and complete — one straight copy.
      const gap = filled.indexOf(0, start);
      if (gap === -1 || gap >= end) {
        for (let i = 0; i < n; i++) frame[i] = ring[start + i]!; // no view object per frame of every call
        filled.fill(0, start, end);
        this.#playTs = (this.#playTs + n) >>> 0;
        return frame;
      }
    }
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const idx = (this.#playTs + i) & mask;
      if (filled[idx] === 1) {
        frame[i] = ring[idx]!;
        filled[idx] = 0;
      } else {
        frame[i] = 0;
        missing++;
      }
    }
    if (missing > 0) this.concealedFrames++;
    this.#playTs = (this.#playTs + n) >>> 0;
    return frame;
  }

  #anchor(timestamp: number): void {
    this.#anchored = true;
    this.#playTs = timestamp >>> 0;
    this.#newestEnd = this.#playTs;
    this.#highRun = 0;
    this.#waitFrames = this.#delayFrames;
    this.#lateRun = 0;
  }
}
