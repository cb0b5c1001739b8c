import { describe, expect, it } from 'vitest';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import type { AudioChunk } from '../../src/providers/types.js';

async function collect(chunks: AsyncIterable<AudioChunk>): Promise<AudioChunk[]> {
  const out: AudioChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

describe('espeak-ng TTS', () => {
  it('speaks a sentence as streamed 22.05 kHz chunks of about the right length', async () => {
    const chunks = await collect(new EspeakTts().synthesize('Thank you for calling. How can I help you today?'));
    expect(chunks.length).toBeGreaterThan(1);
    expect(new Set(chunks.map((c) => c.sampleRate))).toEqual(new Set([22050]));
    const seconds = chunks.reduce((n, c) => n + c.pcm.length, 0) / 22050;
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(6);
    const peak = Math.max(...chunks.map((c) => Math.max(...c.pcm.map(Math.abs))));
    expect(peak).toBeGreaterThan(3000);
  });

  it('treats text starting with a dash as words, not flags', async () => {
    const chunks = await collect(new EspeakTts().synthesize('--version -h'));
    expect(chunks.reduce((n, c) => n + c.pcm.length, 0)).toBeGreaterThan(2205);
  });

  it('stops at once when aborted', async () => {
    const controller = new AbortController();
    const tts = new EspeakTts();
    const iterator = tts.synthesize('One two three four five six seven eight nine ten. '.repeat(20), controller.signal)[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort(new Error('barge-in'));
    await expect(iterator.next()).rejects.toThrow(/barge-in/);
  });

  it('fails clearly when the binary is missing', async () => {
    await expect(collect(new EspeakTts({ binary: 'espeak-ng-does-not-exist' }).synthesize('hi'))).rejects.toThrow(/ENOENT/);
  });
});
