import { describe, expect, it } from 'vitest';
import { FakeStt } from '../../src/providers/fake/fake-stt.js';
import { FakeTts } from '../../src/providers/fake/fake-tts.js';

describe('fake speech providers (load tests)', () => {
  it('fake STT waits its delay, then answers the configured text', async () => {
    const stt = new FakeStt({ delayMs: 30, text: 'book me in' });
    const started = performance.now();
    const result = await stt.transcribe(new Int16Array(16000), 16000);
    expect(result.text).toBe('book me in');
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('fake STT is cancelled by its signal', async () => {
    const stt = new FakeStt({ delayMs: 10_000 });
    await expect(stt.transcribe(new Int16Array(160), 16000, AbortSignal.timeout(10))).rejects.toThrow();
  });

  it('fake TTS streams 16 kHz voiced audio whose length grows with the text', async () => {
    const tts = new FakeTts({ firstAudioMs: 5, msPerCharacter: 50 });
    const length = async (text: string): Promise<number> => {
      let n = 0;
      for await (const c of tts.synthesize(text)) {
        expect(c.sampleRate).toBe(16000);
        n += c.pcm.length;
      }
      return n;
    };
    expect(await length('Hello there.')).toBe(Math.round(12 * 50 * 16));
    expect(await length('Hello there, how are you doing today?')).toBe(Math.round(37 * 50 * 16));
  });
});
