import type { MediaSession } from '../domain/media.js';
import { Deadline } from '../providers/llm/deadline.js';
import type { AudioChunk, TextToSpeech } from '../providers/types.js';

export class TtsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TtsError';
  }
}

export interface ResponsePlaybackOptions {
  /** Unique per response; prefixes the mark names. */
  id: string;
  signal: AbortSignal;
  /** A sentence whose first audio takes longer than this fails the turn with `TtsError`. */
  ttsTimeoutMs: number;
  now: () => number;
  /** First audio of the response handed to the line. */
  onFirstAudio?: (at: number, ttsMs: number) => void;
  /**
   * The next sentence is synthesized once the line holds less than this much audio (and the
   * response is not paused), so a caller who barges in costs no TTS for sentences never heard
   * (the agent's LLM stream and its tool calls run on regardless: they fill the sentence
   * queue on their own). Default 2000 ms: well above a TTS's first audio for one sentence,
   * so the line never waits between sentences.
   */
  lookaheadMs?: number;
}

export const DEFAULT_LOOKAHEAD_MS = 2000;

interface Sentence {
  text: string;
  mark: string;
  chunks: AudioChunk[];
  /** Audio handed to the media session and not cleared since. */
  queuedMs: number;
  complete: boolean;
  played: boolean;
}

/**
 * Speaks one assistant response sentence by sentence and knows what the caller actually heard:
 * a mark follows each sentence, and on a barge-in the share of the cut sentence that played is
 * estimated from the queue depth. `pause()` silences the line at once but keeps the audio, so a
 * false interruption (no words, or only "mm-hm") can `resume()` from the cut sentence.
 */
export class ResponsePlayback {
  readonly #media: MediaSession;
  readonly #tts: TextToSpeech;
  readonly #opts: ResponsePlaybackOptions;
  readonly #sentences: Sentence[] = [];
  #paused = false;
  #partial: { index: number; fraction: number } | null = null;
  #inputDone = false;
  #firstAudioAt: number | null = null;
  #lastPlayedAt: number | null = null;
  #pausedAt: number | null = null;
  #wake: (() => void) | null = null;

  constructor(media: MediaSession, tts: TextToSpeech, options: ResponsePlaybackOptions) {
    this.#media = media;
    this.#tts = tts;
    this.#opts = options;
  }

  get firstAudioAt(): number | null {
    return this.#firstAudioAt;
  }

  get lastPlayedAt(): number | null {
    return this.#lastPlayedAt;
  }

  /** When the line was last silenced by `pause()` (null once resumed). */
  get pausedAt(): number | null {
    return this.#pausedAt;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** True while audio of this response is queued or still to come. */
  get active(): boolean {
    return !this.#inputDone || this.#sentences.some((s) => !s.played);
  }

  /** Synthesize and queue each sentence; resolves once all played, or when the signal aborts. */
  async run(sentences: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const { signal } = this.#opts;
    const off = this.#media.onMark((name) => this.#onMark(name));
    const onAbort = () => this.#wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const text of sentences) {
        if (this.#sentences.length > 0) await this.#roomForNext(); // returns at once once aborted
        if (signal.aborted) return;
        await this.#speak(text);
      }
      this.#inputDone = true;
      while (!signal.aborted && this.#sentences.some((s) => !s.played)) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      this.#inputDone = true;
      off();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Barge-in: the line goes silent now; the audio is kept in case the interruption was false. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#pausedAt = this.#opts.now();
    let remaining = this.#media.queuedMs();
    this.#media.clear();
    // The queue holds the unplayed tail of this response: walk back from the last sentence.
    for (let i = this.#sentences.length - 1; i >= 0; i--) {
      const s = this.#sentences[i]!;
      if (s.played || s.queuedMs === 0) continue;
      const unplayed = Math.min(remaining, s.queuedMs);
      remaining -= unplayed;
      const total = s.chunks.reduce((ms, c) => ms + (c.pcm.length * 1000) / c.sampleRate, 0);
      if (unplayed < s.queuedMs || remaining <= 0) this.#partial = { index: i, fraction: total > 0 ? 1 - unplayed / total : 0 };
      s.queuedMs = 0;
    }
  }

  /** False interruption: replay from the start of the sentence that was cut. */
  resume(): void {
    if (!this.#paused || this.#opts.signal.aborted) return;
    this.#paused = false;
    this.#pausedAt = null;
    this.#partial = null;
    for (const s of this.#sentences) {
      if (s.played) continue;
      for (const c of s.chunks) this.#queue(s, c);
      if (s.complete) this.#media.mark(s.mark);
    }
    this.#wake?.();
  }

  /** Wait until the line needs the next sentence: less than the lookahead queued, and not paused. */
  async #roomForNext(): Promise<void> {
    const lookahead = this.#opts.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS;
    for (;;) {
      if (this.#opts.signal.aborted) return;
      const overMs = this.#paused ? Infinity : this.#media.queuedMs() - lookahead;
      if (overMs <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      // A mark, a resume or the abort wakes us early; while playing, the queue drains in real time.
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        if (Number.isFinite(overMs)) timer = setTimeout(resolve, overMs);
      });
      clearTimeout(timer);
      this.#wake = null;
    }
  }

  /** The text the caller heard: whole sentences played, plus the played share of a cut one. */
  playedText(): string {
    const parts: string[] = [];
    for (const [i, s] of this.#sentences.entries()) {
      if (s.played) parts.push(s.text);
      else if (this.#partial?.index === i) {
        const words = s.text.split(/\s+/);
        const n = Math.floor(words.length * this.#partial.fraction);
        if (n > 0) parts.push(words.slice(0, n).join(' '));
      }
    }
    return parts.join(' ');
  }

  get interruptedMidway(): boolean {
    return this.#sentences.some((s) => !s.played);
  }

  async #speak(text: string): Promise<void> {
    const s: Sentence = { text, mark: `${this.#opts.id}.${this.#sentences.length}`, chunks: [], queuedMs: 0, complete: false, played: false };
    this.#sentences.push(s);
    const started = this.#opts.now();
    // The budget covers the first audio; once it flows, a long sentence may take its time.
    const deadline = new Deadline(this.#opts.ttsTimeoutMs, this.#opts.signal);
    try {
      let first = true;
      for await (const chunk of this.#tts.synthesize(text, deadline.signal)) {
        if (first) {
          first = false;
          deadline.disarm();
          if (this.#firstAudioAt === null) this.#opts.onFirstAudio?.(this.#opts.now(), this.#opts.now() - started);
        }
        s.chunks.push(chunk);
        if (!this.#paused) this.#queue(s, chunk);
        if (this.#opts.signal.aborted) return;
      }
    } catch (err) {
      if (this.#opts.signal.aborted) return;
      throw new TtsError(deadline.expired ? `${this.#tts.name}: no audio within ${this.#opts.ttsTimeoutMs} ms` : `${this.#tts.name}: ${(err as Error).message}`);
    } finally {
      deadline.dispose();
    }
    s.complete = true;
    if (!this.#paused) this.#media.mark(s.mark);
  }

  #queue(s: Sentence, chunk: AudioChunk): void {
    if (this.#firstAudioAt === null) this.#firstAudioAt = this.#opts.now();
    this.#media.play(chunk.pcm, chunk.sampleRate);
    s.queuedMs += (chunk.pcm.length * 1000) / chunk.sampleRate;
  }

  #onMark(name: string): void {
    const s = this.#sentences.find((x) => x.mark === name);
    if (!s || s.played) return;
    s.played = true;
    s.chunks = []; // heard: never replayed, so its audio need not stay in memory
    this.#lastPlayedAt = this.#opts.now();
    this.#wake?.();
  }
}
