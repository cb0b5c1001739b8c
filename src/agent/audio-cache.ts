import type { AudioChunk, TextToSpeech } from '../providers/types.js';

export interface AudioCacheOptions {
  /** Entries kept (first messages are few and short: ~100 KB each at 16 kHz). */
  maxEntries: number;
}

/**
 * LRU of synthesized phrases keyed by voice + text: first messages and reminders are the same
 * for every call of an assistant, so the caller hears them without waiting for TTS.
 */
export class AudioCache {
  readonly #max: number;
  readonly #entries = new Map<string, Promise<AudioChunk[]>>();

  constructor(options: Partial<AudioCacheOptions> = {}) {
    this.#max = options.maxEntries ?? 64;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Cached audio, rendering it once; a failed render is forgotten so the next call retries. */
  get(tts: TextToSpeech, voiceKey: string, text: string): Promise<AudioChunk[]> {
    const key = `${voiceKey}\u0000${text}`;
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key); // re-insert: Map order is the recency order
      this.#entries.set(key, entry);
      return entry;
    }
    entry = (async () => {
      const chunks: AudioChunk[] = [];
      for await (const c of tts.synthesize(text)) chunks.push(c);
      return chunks;
    })();
    entry.catch(() => this.#entries.delete(key));
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }
}

/** A TextToSpeech that answers one text from cached chunks and delegates everything else. */
export function withCachedPhrase(tts: TextToSpeech, text: string, audio: Promise<AudioChunk[]>): TextToSpeech {
  return {
    name: tts.name,
    async *synthesize(t: string, signal?: AbortSignal) {
      if (t !== text) { yield* tts.synthesize(t, signal); return; }
      for (const c of await audio) { signal?.throwIfAborted(); yield c; }
    },
  };
}
