import type { MediaSession } from '../domain/media.js';
import type { AudioChunk, TextToSpeech } from '../providers/types.js';
import { withCachedPhrase } from './audio-cache.js';
import { ResponsePlayback } from './response-playback.js';

export interface ApologyOptions {
  id: string;
  text: string;
  /** The apology rendered at call setup (null without a cache): the caller hears it at once. */
  audio: Promise<AudioChunk[]> | null;
  /** Longest the apology may take, rendering included. */
  maxMs: number;
  now: () => number;
}

/** What the caller heard of the apology, for the transcript (null when nothing played). */
export interface SpokenApology {
  text: string;
  startAt: number;
  endAt: number;
}

/**
 * A provider failed: say sorry in the fallback voice before hanging up. The fallback voice is
 * used even when the main one still works, so that one apology, rendered once per process like
 * a first message, serves every failure — a TTS failure included.
 */
export async function speakApology(media: MediaSession, fallbackTts: TextToSpeech, o: ApologyOptions): Promise<SpokenApology | null> {
  media.clear();
  const tts = o.audio ? withCachedPhrase(fallbackTts, o.text, o.audio) : fallbackTts;
  const playback = new ResponsePlayback(media, tts, { id: o.id, signal: AbortSignal.timeout(o.maxMs), ttsTimeoutMs: Math.min(3_000, o.maxMs), now: o.now });
  await playback.run([o.text]).catch(() => {});
  const text = playback.playedText();
  if (!text || playback.firstAudioAt === null) return null;
  return { text, startAt: playback.firstAudioAt, endAt: playback.lastPlayedAt ?? o.now() };
}
