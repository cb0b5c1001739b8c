/**
 * RFC 4733 telephone-events for DTMF: payload codec, a sender that spreads each digit
 * over media clock ticks, and a receiver that turns the redundant packet stream into one
 * digit per key press.
 */

const DIGITS = '0123456789*#ABCD';

export function dtmfEventCode(digit: string): number {
  const code = DIGITS.indexOf(digit.toUpperCase());
  if (code < 0 || digit.length !== 1) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return code;
}

export function dtmfDigit(code: number): string | null {
  return code >= 0 && code < DIGITS.length ? DIGITS[code]! : null;
}

/** Write the 4-byte event payload at `offset`. */
export function writeDtmfPayload(out: Uint8Array, offset: number, event: number, end: boolean, volume: number, duration: number): void {
  out[offset] = event;
  out[offset + 1] = (end ? 0x80 : 0) | (volume & 0x3f);
  out[offset + 2] = (duration >> 8) & 0xff;
  out[offset + 3] = duration & 0xff;
}

export interface DtmfSenderOptions {
  toneMs: number;
  gapMs: number;
  /** Power level in -dBm0 (RFC 4733 §2.3.4); 10 is the customary value. */
  volume: number;
  frameMs: number;
  clockRate: number;
}

export const defaultDtmfSenderOptions: DtmfSenderOptions = { toneMs: 100, gapMs: 60, volume: 10, frameMs: 20, clockRate: 8000 };

/** What the sender wants on the wire this tick. */
export interface DtmfPacket {
  event: number;
  end: boolean;
  /** First packet of the event: RTP marker bit set. */
  first: boolean;
  duration: number;
  /** Ticks since the event started; the RTP timestamp is the one of the event's first tick. */
  startTimestamp: number;
}

interface QueuedDigit {
  event: number;
  done: (() => void) | null;
}

/**
 * Per tick: `next(timestamp)` returns the event packet to send, "gap" while pausing
 * between digits (send audio), or null when idle. Each digit: `toneMs / frameMs` packets
 * with growing duration, then three end packets with the final duration, all with the
 * timestamp of the event's first packet.
 */
export class DtmfSender {
  #o: DtmfSenderOptions;
  #queue: QueuedDigit[] = [];
  #current: QueuedDigit | null = null;
  #step = 0;
  #gapLeft = 0;
  #startTs = 0;
  #packet: DtmfPacket = { event: 0, end: false, first: false, duration: 0, startTimestamp: 0 };

  constructor(options: Partial<DtmfSenderOptions> = {}) {
    this.#o = { ...defaultDtmfSenderOptions, ...options };
  }

  get volume(): number {
    return this.#o.volume;
  }

  get busy(): boolean {
    return this.#current !== null || this.#queue.length > 0 || this.#gapLeft > 0;
  }

  /** Queue digits; resolves after the last end packet went out. */
  enqueue(digits: string): Promise<void> {
    const events = [...digits].map(dtmfEventCode);
    if (events.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      events.forEach((event, i) => this.#queue.push({ event, done: i === events.length - 1 ? resolve : null }));
    });
  }

  /** Drop pending digits (session closing); their promises resolve so nobody hangs. */
  cancel(): void {
    for (const d of [this.#current, ...this.#queue]) d?.done?.();
    this.#current = null;
    this.#queue = [];
  }

  next(timestamp: number): DtmfPacket | 'gap' | null {
    if (this.#current === null) {
      if (this.#gapLeft > 0) {
        this.#gapLeft--;
        return 'gap';
      }
      const d = this.#queue.shift();
      if (!d) return null;
      this.#current = d;
      this.#step = 0;
      this.#startTs = timestamp;
    }
    const samplesPerFrame = (this.#o.frameMs * this.#o.clockRate) / 1000;
    const toneFrames = Math.max(1, Math.round(this.#o.toneMs / this.#o.frameMs));
    const p = this.#packet;
    p.event = this.#current.event;
    p.first = this.#step === 0;
    p.startTimestamp = this.#startTs;
    p.end = this.#step >= toneFrames - 1;
    p.duration = Math.min(this.#step + 1, toneFrames) * samplesPerFrame;
    this.#step++;
    if (this.#step >= toneFrames + 2) {
      // That was the third end packet.
      this.#current.done?.();
      this.#current = null;
      this.#gapLeft = Math.round(this.#o.gapMs / this.#o.frameMs);
    }
    return p;
  }
}

/**
 * Collapses the packets of each event (identified by its RTP timestamp) into one digit,
 * reported at the first end packet, or when a new event starts before any end packet
 * arrived (all three lost).
 */
export class DtmfReceiver {
  #clockRate: number;
  #activeTs: number | null = null;
  #activeEvent = 0;
  #activeDuration = 0;
  #reportedTs: number | null = null;
  #onDigit: (digit: string, durationMs: number) => void;

  constructor(clockRate: number, onDigit: (digit: string, durationMs: number) => void) {
    this.#clockRate = clockRate;
    this.#onDigit = onDigit;
  }

  /** Feed one telephone-event payload. Malformed payloads are ignored. */
  receive(payload: Uint8Array, offset: number, length: number, timestamp: number): void {
    if (length < 4) return;
    const event = payload[offset]!;
    const end = (payload[offset + 1]! & 0x80) !== 0;
    const duration = (payload[offset + 2]! << 8) | payload[offset + 3]!;
    if (dtmfDigit(event) === null) return; // flash-hook and tones are not DTMF digits
    if (timestamp === this.#reportedTs) return; // retransmitted end packets
    if (this.#activeTs !== null && this.#activeTs !== timestamp) this.#report();
    if (this.#activeTs !== timestamp) {
      this.#activeTs = timestamp;
      this.#activeEvent = event;
      this.#activeDuration = 0;
    }
    this.#activeDuration = Math.max(this.#activeDuration, duration);
    if (end) this.#report();
  }

  #report(): void {
    if (this.#activeTs === null) return;
    this.#reportedTs = this.#activeTs;
    this.#activeTs = null;
    this.#onDigit(dtmfDigit(this.#activeEvent)!, Math.round((this.#activeDuration / this.#clockRate) * 1000));
  }
}
