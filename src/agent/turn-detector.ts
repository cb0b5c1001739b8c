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
  /** `now()` of the first and last frame classified as speech. */
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

/**
 * Segments caller audio into user turns with the VAD: re-frames 20 ms frames into the VAD's
 * window (512 samples at 16 kHz), keeps a pre-roll, and ends the segment after
 * `endpointingMs` of silence. VAD inference is async, so frames queue in a ring and are
 * processed in order; the hot path allocates nothing per frame.
 */
export class TurnDetector {
  readonly #vad: VoiceActivityDetector;
  readonly #opts: TurnDetectorOptions;
  readonly #events: TurnDetectorEvents;
  readonly #window: Int16Array;
  #windowFill = 0;
  /** Frames waiting for the VAD: a ring that grows (doubling) up to `#pendingMax` samples. */
  #pending: Int16Array;
  readonly #pendingMax: number;
  #pendingRead = 0;
  #pendingLength = 0;
  #processing = false;
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
    }
    const write = (this.#pendingRead + this.#pendingLength) % cap;
    const first = Math.min(n, cap - write);
    this.#pending.set(first === n ? samples : samples.subarray(0, first), write);
    if (first < n) this.#pending.set(samples.subarray(first), 0);
    this.#pendingLength += n;
    if (!this.#processing) void this.#drain();
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
    this.#inSpeech = false;
    this.#segment.clear();
    this.#vad.reset();
  }

  close(): void {
    this.#closed = true;
  }

  async #drain(): Promise<void> {
    this.#processing = true;
    try {
      while (this.#pendingLength > 0 && !this.#closed) {
        // Re-read each pass: push() may have grown the ring while inference ran.
        const cap = this.#pending.length;
        while (this.#windowFill < this.#window.length && this.#pendingLength > 0) {
          const take = Math.min(this.#window.length - this.#windowFill, this.#pendingLength, cap - this.#pendingRead);
          this.#window.set(this.#pending.subarray(this.#pendingRead, this.#pendingRead + take), this.#windowFill);
          this.#windowFill += take;
          this.#pendingRead = (this.#pendingRead + take) % cap;
          this.#pendingLength -= take;
        }
        if (this.#windowFill < this.#window.length) break;
        this.#windowFill = 0;
        const p = await this.#vad.process(this.#window);
        this.#onWindow(p >= this.#opts.threshold);
      }
    } catch {
      // A VAD failure must not take the call down; the next frame retries.
    } finally {
      this.#processing = false;
    }
  }

  #onWindow(speech: boolean): void {
    const now = this.#opts.now();
    const windowMs = (this.#window.length * 1000) / this.#vad.sampleRate;
    if (!this.#inSpeech) {
      if (!speech) { this.#preRoll.push(this.#window); return; }
      this.#inSpeech = true;
      this.#speechStartAt = now;
      this.#speechMs = 0;
      this.#silenceMs = 0;
      this.#sustainedFired = false;
      this.#segment.clear();
      this.#preRoll.drainInto(this.#segment);
      this.#events.onSpeechStart(now);
    }
    this.#segment.append(this.#window);
    if (speech) {
      this.#silenceMs = 0;
      this.#lastSpeechAt = now;
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
