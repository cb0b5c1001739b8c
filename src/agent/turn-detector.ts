import type { VoiceActivityDetector } from '../providers/types.js';
import { PcmBuffer, PcmRing } from './pcm-buffer.js';

export interface TurnDetectorOptions {
  /** Silero speech probability that counts as speech. */
  threshold: number;
  /** Silence after speech that ends the user's turn. */
  endpointingMs: number;
  /** Speech shorter than this (a cough, a click) is dropped. */
  minSpeechMs: number;
  /** Audio kept from before the VAD fired, so the first syllable reaches STT. */
  preRollMs: number;
  /** Fired once per segment when speech has lasted this long (barge-in decisions). */
  sustainedSpeechMs: number;
  /** A segment is cut here even without a pause (endless noise must not grow memory or stall the turn). */
  maxSegmentMs: number;
  now: () => number;
  /** Each window's VAD answer came this long after the window's audio arrived. */
  onVadLag?: (ms: number) => void;
}

export const defaultTurnDetectorOptions: TurnDetectorOptions = {
  threshold: 0.5,
  endpointingMs: 500,
  minSpeechMs: 100,
  preRollMs: 500,
  sustainedSpeechMs: 500,
  maxSegmentMs: 30_000,
  now: () => performance.now(),
};

export interface SpeechSegment {
  audio: Int16Array;
  sampleRate: number;
  /**
   * When the audio of the first and of the last window classified as speech had arrived
   * (`now()` at the push that completed the window), not when the VAD answered: the caller
   * stopped speaking then, however long inference took.
   */
  speechStartAt: number;
  lastSpeechAt: number;
  /** `now()` when endpointing decided the turn was over. */
  endedAt: number;
  speechMs: number;
}

export interface TurnDetectorEvents {
  onSpeechStart(at: number): void;
  /** Speech has lasted `sustainedSpeechMs`; `decidedAt` is when the VAD frame that crossed it was classified. */
  onSustainedSpeech(decidedAt: number): void;
  onSegment(segment: SpeechSegment): void;
  /** Speech too short to be a turn. */
  onDiscarded(): void;
}

/** Windows sent to the VAD and not yet answered, at most: ~¼ s at 64 ms, then frames wait in the ring. */
const MAX_IN_FLIGHT = 4;

interface InFlight {
  answer: Promise<number>;
  window: Int16Array;
  arrivedAt: number;
  epoch: number;
}

/**
 * Segments caller audio into user turns with the VAD: re-frames 20 ms frames into the VAD's
 * window (512 samples at 16 kHz), keeps a pre-roll, and ends the segment after
 * `endpointingMs` of silence. A window goes to the VAD as soon as it is full, without waiting
 * for the previous window's answer (a batching VAD answers late under load, and waiting would
 * add that lag once per window); answers are taken in order. Past `MAX_IN_FLIGHT` unanswered
 * windows, frames queue in a ring; the hot path allocates nothing per frame.
 */
export class TurnDetector {
  readonly #vad: VoiceActivityDetector;
  readonly #opts: TurnDetectorOptions;
  readonly #events: TurnDetectorEvents;
  /** The window being filled; sent windows keep theirs until answered, then give it back to `#spareWindows`. */
  #window: Int16Array;
  readonly #spareWindows: Int16Array[] = [];
  #windowFill = 0;
  /** Frames waiting for a window: a ring that grows (doubling) up to `#pendingMax` samples. */
  #pending: Int16Array;
  readonly #pendingMax: number;
  #pendingRead = 0;
  #pendingLength = 0;
  /** Samples pushed, and samples taken into windows or dropped, since the start (stream positions). */
  #pushed = 0;
  #taken = 0;
  /** Per push: the stream position it ended at and when it came (pairs, oldest first from `#arrivalHead`). */
  readonly #arrivals: number[] = [];
  #arrivalHead = 0;
  readonly #inFlight: InFlight[] = [];
  #answering = false;
  /** Bumped by reset(): answers to windows sent before it are not heard. */
  #epoch = 0;
  readonly #preRoll: PcmRing;
  readonly #segment = new PcmBuffer();
  #inSpeech = false;
  #speechStartAt = 0;
  #lastSpeechAt = 0;
  #speechMs = 0;
  /** Audio time (not wall time) since the last speech window: endpointing stays exact even when frames arrive in bursts. */
  #silenceMs = 0;
  #sustainedFired = false;
  #closed = false;

  constructor(vad: VoiceActivityDetector, events: TurnDetectorEvents, options: Partial<TurnDetectorOptions> = {}) {
    this.#vad = vad;
    this.#events = events;
    this.#opts = { ...defaultTurnDetectorOptions, ...options };
    this.#window = new Int16Array(vad.frameSamples);
    // Room for a few windows: inference answers within tens of ms. Past that it grows, up to
    // 2 s of backlog before the oldest frames are dropped.
    this.#pendingMax = vad.sampleRate * 2;
    this.#pending = new Int16Array(Math.min(this.#pendingMax, 4 * vad.frameSamples));
    this.#preRoll = new PcmRing(Math.round((this.#opts.preRollMs * vad.sampleRate) / 1000));
  }

  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** One frame of caller audio (copied: the engine reuses the buffer). */
  push(frame: Int16Array): void {
    if (this.#closed) return;
    if (this.#pendingLength + frame.length > this.#pending.length) this.#growPending(this.#pendingLength + frame.length);
    const cap = this.#pending.length;
    // Past 2 s of backlog the oldest samples go: keep only what fits, drop from the front.
    const samples = frame.length > cap ? frame.subarray(frame.length - cap) : frame;
    const n = samples.length;
    const overflow = this.#pendingLength + n - cap;
    if (overflow > 0) {
      this.#pendingRead = (this.#pendingRead + overflow) % cap;
      this.#pendingLength -= overflow;
      this.#taken += overflow;
    }
    this.#taken += frame.length - n;
    const write = (this.#pendingRead + this.#pendingLength) % cap;
    const first = Math.min(n, cap - write);
    this.#pending.set(first === n ? samples : samples.subarray(0, first), write);
    if (first < n) this.#pending.set(samples.subarray(first), 0);
    this.#pendingLength += n;
    this.#pushed += frame.length;
    this.#arrivals.push(this.#pushed, this.#opts.now());
    this.#send();
  }

  #growPending(needed: number): void {
    let size = this.#pending.length;
    while (size < needed && size < this.#pendingMax) size *= 2;
    size = Math.min(size, this.#pendingMax);
    if (size <= this.#pending.length) return;
    const grown = new Int16Array(size);
    const cap = this.#pending.length;
    const first = Math.min(this.#pendingLength, cap - this.#pendingRead);
    grown.set(this.#pending.subarray(this.#pendingRead, this.#pendingRead + first), 0);
    if (first < this.#pendingLength) grown.set(this.#pending.subarray(0, this.#pendingLength - first), first);
    this.#pending = grown;
    this.#pendingRead = 0;
  }

  /** Forget the current segment (after a hang-up or when the agent is done listening). */
  reset(): void {
    this.#epoch++;
    this.#inSpeech = false;
    this.#segment.clear();
    this.#vad.reset();
  }

  close(): void {
    this.#closed = true;
  }

  /** Fill windows from the ring and send each full one to the VAD, while fewer than MAX_IN_FLIGHT wait. */
  #send(): void {
    while (this.#inFlight.length < MAX_IN_FLIGHT && !this.#closed) {
      const cap = this.#pending.length;
      while (this.#windowFill < this.#window.length && this.#pendingLength > 0) {
        const take = Math.min(this.#window.length - this.#windowFill, this.#pendingLength, cap - this.#pendingRead);
        // A loop, not set(subarray()): no view object per frame of every call.
        const window = this.#window;
        const pending = this.#pending;
        for (let i = 0, from = this.#pendingRead, to = this.#windowFill; i < take; i++) window[to + i] = pending[from + i]!;
        this.#windowFill += take;
        this.#pendingRead = (this.#pendingRead + take) % cap;
        this.#pendingLength -= take;
        this.#taken += take;
      }
      if (this.#windowFill < this.#window.length) break;
      this.#windowFill = 0;
      const window = this.#window;
      const answer = this.#vad.process(window);
      answer.catch(() => undefined); // taken in order by #answer; never an unhandled rejection meanwhile
      this.#inFlight.push({ answer, window, arrivedAt: this.#arrivedAt(this.#taken), epoch: this.#epoch });
      // Kept for the pre-roll or the segment once answered: the next window fills another buffer.
      this.#window = this.#spareWindows.pop() ?? new Int16Array(window.length);
    }
    if (!this.#answering && this.#inFlight.length > 0) void this.#answer();
  }

  /** When the sample just before stream position `end` came: the time of the push that carried it. */
  #arrivedAt(end: number): number {
    const a = this.#arrivals;
    while (this.#arrivalHead + 2 < a.length && a[this.#arrivalHead]! < end) this.#arrivalHead += 2;
    const at = a[this.#arrivalHead + 1]!;
    if (this.#arrivalHead >= 64) {
      a.splice(0, this.#arrivalHead);
      this.#arrivalHead = 0;
    }
    return at;
  }

  async #answer(): Promise<void> {
    this.#answering = true;
    try {
      while (this.#inFlight.length > 0 && !this.#closed) {
        const head = this.#inFlight[0]!;
        let p: number | null = null;
        try {
          p = await head.answer;
        } catch {
          // A VAD failure must not take the call down: that window goes unheard, the next is tried.
        }
        this.#inFlight.shift();
        if (this.#closed) break;
        if (p !== null && head.epoch === this.#epoch) this.#onWindow(head.window, p >= this.#opts.threshold, head.arrivedAt);
        this.#spareWindows.push(head.window);
        this.#send();
      }
    } finally {
      this.#answering = false;
    }
  }

  #onWindow(window: Int16Array, speech: boolean, arrivedAt: number): void {
    const now = this.#opts.now();
    this.#opts.onVadLag?.(now - arrivedAt);
    const windowMs = (window.length * 1000) / this.#vad.sampleRate;
    if (!this.#inSpeech) {
      if (!speech) { this.#preRoll.push(window); return; }
      this.#inSpeech = true;
      this.#speechStartAt = arrivedAt;
      this.#speechMs = 0;
      this.#silenceMs = 0;
      this.#sustainedFired = false;
      this.#segment.clear();
      this.#preRoll.drainInto(this.#segment);
      this.#events.onSpeechStart(now);
    }
    this.#segment.append(window);
    if (speech) {
      this.#silenceMs = 0;
      this.#lastSpeechAt = arrivedAt;
      this.#speechMs += windowMs;
      if (!this.#sustainedFired && this.#speechMs >= this.#opts.sustainedSpeechMs) {
        this.#sustainedFired = true;
        this.#events.onSustainedSpeech(now);
      }
    } else {
      this.#silenceMs += windowMs;
    }
    const tooLong = (this.#segment.length * 1000) / this.#vad.sampleRate >= this.#opts.maxSegmentMs;
    if (!tooLong && (speech || this.#silenceMs + windowMs / 2 < this.#opts.endpointingMs)) return;
    this.#inSpeech = false;
    if (this.#speechMs < this.#opts.minSpeechMs) {
      this.#segment.clear();
      this.#events.onDiscarded();
      return;
    }
    const audio = this.#segment.take();
    this.#segment.clear();
    this.#events.onSegment({ audio, sampleRate: this.#vad.sampleRate, speechStartAt: this.#speechStartAt, lastSpeechAt: this.#lastSpeechAt, endedAt: now, speechMs: this.#speechMs });
  }
}
