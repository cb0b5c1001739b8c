import { afterAll, describe, expect, it } from 'vitest';
import type { VoiceActivityDetector } from '../../src/providers/types.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import type { SileroDetector } from '../../src/providers/vad/silero-detector.js';
import { roomTone, speech16k } from './speech.js';

const FRAME = 512;
const SILENCE_MS = [1500, 300, 2000];
const PHRASES = ['Hello, I would like to check the status of my order, please.', 'Yes.', 'Can you hear me? I said the number is four five six.'];

/** A caller on a line with digital silence between turns: each phrase twice, with pauses. */
function conversation(): Int16Array {
  const parts: Int16Array[] = [];
  PHRASES.forEach((text, i) => {
    const speech = speech16k(text);
    parts.push(speech, new Int16Array(16 * SILENCE_MS[i]!), speech, new Int16Array(16 * 300));
  });
  const audio = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { audio.set(p, at); at += p.length; }
  return audio;
}

async function decisions(vad: VoiceActivityDetector, audio: Int16Array): Promise<boolean[]> {
  const speech: boolean[] = [];
  for (let at = 0; at + FRAME <= audio.length; at += FRAME) speech.push((await vad.process(audio.subarray(at, at + FRAME))) >= 0.5);
  return speech;
}

const onsets = (speech: boolean[]): number[] => speech.flatMap((s, i) => (s && !speech[i - 1] ? [i] : []));
const ends = (speech: boolean[]): number[] => speech.flatMap((s, i) => (!s && speech[i - 1] ? [i] : []));

describe.each([
  { mode: 'worker thread', inThread: false },
  { mode: 'in-thread', inThread: true },
])('Silero silence gate ($mode)', ({ inThread }) => {
  // No batch window: frames here go one at a time, so waiting for other calls only slows the test.
  const gated = new SileroVadFactory({ inThread, batchWindowMs: 0 });
  const ungated = new SileroVadFactory({ inThread, batchWindowMs: 0, silenceGate: null });
  afterAll(() => Promise.all([gated.close(), ungated.close()]));

  // The model's state after a skipped stretch differs from the state after inferring it, so a
  // decision may move by one 32 ms frame (measured: earlier, 2 of 15 onsets here); the turn
  // detector's 500 ms pre-roll keeps the audio of such an onset either way.
  it('espeak-ng speech with digital silence between turns: the same onsets and ends (±1 frame), a quarter of frames skip the model', async () => {
    const audio = conversation();
    const vad = await gated.create();
    const [every, withGate] = await Promise.all([decisions(await ungated.create(), audio), decisions(vad, audio)]);
    expect(onsets(every).length).toBeGreaterThanOrEqual(2 * PHRASES.length);
    for (const edges of [onsets, ends]) {
      const [expected, actual] = [edges(every), edges(withGate)];
      const seen = `${edges.name} without gate ${expected.join(',')}, with ${actual.join(',')}`;
      expect(actual, seen).toHaveLength(expected.length);
      actual.forEach((frame, i) => expect(Math.abs(frame - expected[i]!), seen).toBeLessThanOrEqual(1));
    }
    const flips = every.filter((speech, i) => speech !== withGate[i]).length;
    expect(flips, 'frames decided differently').toBeLessThanOrEqual(onsets(every).length / 4);
    expect((vad as SileroDetector).gatedFrames).toBeGreaterThan(every.length / 4);
  }, 60_000);

  it('a quiet frame right after speech still goes to the model (hangover), a long silence does not', async () => {
    const vad = (await gated.create()) as SileroDetector;
    await decisions(vad, speech16k('Hello there.'));
    await vad.process(roomTone(FRAME, 3000)); // loud: ends any quiet run the phrase ended with
    const before = vad.gatedFrames;
    const silence = new Int16Array(FRAME);
    for (let i = 0; i < 4; i++) await vad.process(silence);
    expect(vad.gatedFrames).toBe(before);
    for (let i = 0; i < 10; i++) expect(await vad.process(silence)).toBe(0);
    expect(vad.gatedFrames).toBe(before + 10);
  });
});
