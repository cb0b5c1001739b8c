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

  it('synthesizes the next sentence only once the line holds less than the lookahead', async () => {
    const line = new LineDouble();
    const asked: Array<{ text: string; queuedMs: number }> = [];
    const counting: TextToSpeech = {
      name: 'counting',
      synthesize(text, signal) {
        asked.push({ text, queuedMs: line.queuedMs() });
        return tts.synthesize(text, signal);
      },
    };
    const p = new ResponsePlayback(line, counting, { id: 'r2', signal: new AbortController().signal, ttsTimeoutMs: 1000, now: () => performance.now(), lookaheadMs: 150 });
    await p.run(['One two three four five.', 'Six seven.', 'Eight.']); // 500, 200 and 100 ms of audio
    expect(asked.map((a) => a.text)).toEqual(['One two three four five.', 'Six seven.', 'Eight.']);
    expect(asked[0]!.queuedMs).toBe(0);
    // Each later sentence was asked for while the line still played (no gap), with at most the lookahead queued.
    for (const a of asked.slice(1)) {
      expect(a.queuedMs).toBeGreaterThan(0);
      expect(a.queuedMs).toBeLessThanOrEqual(150);
    }
    expect(line.marksPlayed).toEqual(['r2.0', 'r2.1', 'r2.2']);
    line.close();
  });

  it('a barge-in while the first sentence plays: the rest of the reply is never synthesized, and no further sentence is taken', async () => {
    const line = new LineDouble();
    const asked: string[] = [];
    const counting: TextToSpeech = { name: 'counting', synthesize: (text, signal) => (asked.push(text), tts.synthesize(text, signal)) };
    const ac = new AbortController();
    const p = new ResponsePlayback(line, counting, { id: 'r3', signal: ac.signal, ttsTimeoutMs: 1000, now: () => performance.now() });
    let pulled = 0;
    async function* sentences() {
      for (const s of ['One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five.', 'Never heard.', 'Nor this.']) {
        pulled++;
        yield s;
      }
    }
    const done = p.run(sentences()); // 2.5 s of audio first: over the 2 s default lookahead
    while (line.playedMs < 200) await new Promise((r) => setImmediate(r));
    p.pause();
    ac.abort();
    await done;
    expect(asked).toEqual([asked[0]]);
    expect(pulled).toBe(2); // the second was taken from the source, then waited for room and was dropped
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
