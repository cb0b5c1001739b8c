import { describe, expect, it } from 'vitest';
import { LineDouble } from '../../test/agent/harness.js';
import type { AudioChunk, TextToSpeech } from '../providers/types.js';
import { ResponsePlayback } from './response-playback.js';

/** 100 ms of audio per word, at once. */
const tts: TextToSpeech = {
  name: 't',
  async *synthesize(text: string): AsyncIterable<AudioChunk> {
    yield { pcm: new Int16Array(text.split(' ').length * 1600), sampleRate: 16000 };
  },
};

describe('ResponsePlayback', () => {
  it('on pause, counts whole played sentences plus the played share of the cut one; resume replays from the cut sentence', async () => {
    const line = new LineDouble();
    const ac = new AbortController();
    const p = new ResponsePlayback(line, tts, { id: 'r1', signal: ac.signal, ttsTimeoutMs: 1000, now: () => performance.now() });
    const done = p.run(['One two three.', 'Four five six seven eight nine ten eleven.']);
    // Sentence 1 (300 ms) + ~2.5 of 8 words, counted on the line's own clock: a wall-clock sleep
    // overshoots when a loaded machine delays the line's 20 ms ticks.
    while (line.playedMs < 550) await new Promise((r) => setImmediate(r));
    p.pause();
    expect(line.queuedMs()).toBe(0);
    const text = p.playedText();
    expect(text.startsWith('One two three. Four')).toBe(true);
    expect(text.split(' ').length).toBeLessThanOrEqual(6);
    p.resume();
    await done;
    expect(p.playedText()).toBe('One two three. Four five six seven eight nine ten eleven.');
    expect(line.marksPlayed).toEqual(['r1.0', 'r1.1']);
    line.close();
  });

  it('a voice that produces nothing in time fails with TtsError', async () => {
    const line = new LineDouble();
    const slow: TextToSpeech = { name: 'slow', async *synthesize(_t, signal) { await new Promise((_, rej) => signal?.addEventListener('abort', () => rej(signal.reason))); } };
    const p = new ResponsePlayback(line, slow, { id: 'r', signal: new AbortController().signal, ttsTimeoutMs: 100, now: () => performance.now() });
    await expect(p.run(['Hello.'])).rejects.toMatchObject({ name: 'TtsError' });
    line.close();
  });
});
