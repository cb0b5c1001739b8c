/**
 * Reception statistics for one remote source, per RFC 3550 appendix A.1 (sequence
 * tracking with wrap-around and restart) and A.8 (interarrival jitter), plus the
 * interval figures RTCP report blocks need.
 */

const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_MOD = 1 << 16;

export class ReceiveStats {
  readonly clockRate: number;
  ssrc: number | null = null;
  received = 0;
  #baseSeq = 0;
  #maxSeq = 0;
  #cycles = 0;
  #badSeq = SEQ_MOD + 1;
  /** Jitter in timestamp units, scaled as in the RFC (J += (|D| - J) / 16). */
  #jitter = 0;
  #lastTransit = 0;
  #haveTransit = false;
  #expectedPrior = 0;
  #receivedPrior = 0;

  constructor(clockRate: number) {
    this.clockRate = clockRate;
  }

  /**
   * Account for one packet. `arrivalMs` is our monotonic clock. Returns false when the
   * sequence number says the packet is not valid yet (a restart is being confirmed).
   */
  update(ssrc: number, seq: number, timestamp: number, arrivalMs: number): boolean {
    if (this.ssrc !== ssrc) {
      this.ssrc = ssrc;
      this.#initSeq(seq);
      this.#haveTransit = false;
      this.#jitter = 0;
      this.received = 1;
      this.#trackJitter(timestamp, arrivalMs);
      return true;
    }
    const udelta = (seq - this.#maxSeq + SEQ_MOD) % SEQ_MOD;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.#maxSeq) this.#cycles += SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= SEQ_MOD - MAX_MISORDER) {
      // A very large jump: accept only if the next packet confirms it (peer restarted).
      if (seq === this.#badSeq) {
        this.#initSeq(seq);
      } else {
        this.#badSeq = (seq + 1) % SEQ_MOD;
        return false;
      }
    }
    // else: duplicate or reordered packet, counted below.
    this.received++;
    this.#trackJitter(timestamp, arrivalMs);
    return true;
  }

  get extendedMaxSeq(): number {
    return this.#cycles + this.#maxSeq;
  }

  get expected(): number {
    return this.ssrc === null ? 0 : this.extendedMaxSeq - this.#baseSeq + 1;
  }

  /** Cumulative packets lost (never negative: duplicates can outnumber losses). */
  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }

  get jitterMs(): number {
    return (this.#jitter / this.clockRate) * 1000;
  }

  /** Jitter in timestamp units, for RTCP report blocks. */
  get jitterUnits(): number {
    return Math.floor(this.#jitter);
  }

  /** Fraction lost since the previous call, as RTCP's 8-bit fixed point. */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    return expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
  }

  #initSeq(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = SEQ_MOD + 1;
    this.#cycles = 0;
    this.received = 0;
    this.#expectedPrior = 0;
    this.#receivedPrior = 0;
  }

  #trackJitter(timestamp: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.#haveTransit) {
      let d = transit - this.#lastTransit;
      // Timestamps wrap at 2^32; a difference that large is the wrap, not jitter.
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
    this.#haveTransit = true;
  }
}
