/**
 * A cheap energy check in front of the VAD model: frames of (near) digital silence skip the
 * model, after a hangover of inferred quiet frames so the model's recurrent state sees the
 * speech end; the last quiet frames are kept and inferred again, just before the next loud
 * frame, so the state sees the onset's lead-in too. On espeak-ng speech separated by digital
 * silence this leaves every Silero speech/non-speech decision unchanged (see the test) while a
 * third of the frames skip the model.
 */
export interface SilenceGateOptions {
  /**
   * RMS (16-bit scale) under which a frame counts as silence. 10 ≈ −70 dBFS: an idle G.711
   * line (0 and ±8 steps); quiet room tone at ~17 RMS is still sent to the model.
   */
  floorRms: number;
  /** Quiet frames still inferred after the last loud one. */
  hangoverFrames: number;
  /** Skipped frames inferred again (answers discarded) before the next loud frame. */
  preRollFrames: number;
}

export const defaultSilenceGateOptions: SilenceGateOptions = { floorRms: 10, hangoverFrames: 4, preRollFrames: 1 };

export class SilenceGate {
  readonly #opts: SilenceGateOptions;
  readonly #held: Int16Array[];
  /** Next slot of `#held` to overwrite; the ring's oldest frame when it is full. */
  #heldNext = 0;
  #heldCount = 0;
  #quietRun = 0;
  #skipped = 0;

  constructor(frameSamples: number, options: Partial<SilenceGateOptions> = {}) {
    this.#opts = { ...defaultSilenceGateOptions, ...options };
    this.#held = Array.from({ length: this.#opts.preRollFrames }, () => new Int16Array(frameSamples));
  }

  /** Frames that skipped the model since construction. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Whether `frame` must go to the model. When it must and frames were skipped before it,
   * `replay` gets the kept quiet frames first, oldest first (buffers reused: copy to keep).
   */
  admit(frame: Int16Array, replay: (held: Int16Array) => void): boolean {
    if (isQuiet(frame, this.#opts.floorRms)) {
      if (++this.#quietRun <= this.#opts.hangoverFrames) return true;
      this.#skipped++;
      if (this.#held.length > 0) {
        this.#held[this.#heldNext]!.set(frame);
        this.#heldNext = (this.#heldNext + 1) % this.#held.length;
        this.#heldCount = Math.min(this.#heldCount + 1, this.#held.length);
      }
      return false;
    }
    if (this.#heldCount > 0) {
      const size = this.#held.length;
      for (let i = size - this.#heldCount; i < size; i++) replay(this.#held[(this.#heldNext + i) % size]!);
    }
    this.#heldCount = 0;
    this.#quietRun = 0;
    return true;
  }

  /** Forget the quiet run (the model's state was reset). */
  reset(): void {
    this.#heldCount = 0;
    this.#quietRun = 0;
  }
}

/** Sum of squares against the floor, stopping at the first sample run that passes it. */
function isQuiet(frame: Int16Array, floorRms: number): boolean {
  const limit = floorRms * floorRms * frame.length;
  let energy = 0;
  for (let i = 0; i < frame.length; i++) {
    const s = frame[i]!;
    energy += s * s;
    if (energy >= limit) return false;
  }
  return true;
}
