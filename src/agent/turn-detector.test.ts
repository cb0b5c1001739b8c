import { describe, expect, it } from 'vitest';
import type { VoiceActivityDetector } from '../providers/types.js';
import { type SpeechSegment, TurnDetector } from './turn-detector.js';

/** Speech = loud samples; the detector is fed in bursts: endpointing must use audio time, not wall time. */
const vad: VoiceActivityDetector = {
  sampleRate: 16000, frameSamples: 512,
  async process(f) { return Math.abs(f[256]!) > 1000 ? 0.9 : 0.1; },
  reset() {}, async close() {},
};

function feed(d: TurnDetector, ms: number, loud: boolean): void {
  const frame = new Int16Array(320);
  for (let i = 0; i < ms / 20; i++) {
    frame.fill(loud ? 5000 : 0);
    d.push(frame);
    frame.fill(-1); // the engine reuses its buffer: the detector must have copied it
  }
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('TurnDetector', () => {
  it('keeps ~500 ms of pre-roll, ends the turn after endpointing_ms of silence, reports sustained speech', async () => {
    const segments: SpeechSegment[] = [];
    const sustained: number[] = [];
    const d = new TurnDetector(vad, { onSpeechStart() {}, onSustainedSpeech: (t) => sustained.push(t), onSegment: (s) => segments.push(s), onDiscarded() {} },
      { endpointingMs: 400, preRollMs: 500, sustainedSpeechMs: 300 });
    feed(d, 1000, false);
    feed(d, 800, true);
    feed(d, 300, false);
    await settle();
    expect(segments).toHaveLength(0); // 300 ms of silence < 400
    feed(d, 200, false);
    await settle();
    expect(sustained).toHaveLength(1);
    expect(segments).toHaveLength(1);
    const ms = (segments[0]!.audio.length * 1000) / 16000;
    expect(ms).toBeGreaterThan(800 + 400 + 400); // speech + endpointing silence + most of the pre-roll
    expect(ms).toBeLessThan(800 + 500 + 500 + 64);
    expect(segments[0]!.speechMs).toBeGreaterThanOrEqual(768);
    expect(segments[0]!.audio.includes(-1)).toBe(false);
  });

  it('drops speech shorter than minSpeechMs (a click) and never reports it as sustained', async () => {
    const events: string[] = [];
    const d = new TurnDetector(vad, { onSpeechStart: () => events.push('start'), onSustainedSpeech: () => events.push('sustained'), onSegment: () => events.push('segment'), onDiscarded: () => events.push('discarded') },
      { endpointingMs: 200, minSpeechMs: 150, sustainedSpeechMs: 300 });
    feed(d, 60, true);
    feed(d, 400, false);
    await settle();
    expect(events).toEqual(['start', 'discarded']);
  });

  it('cuts an endless segment at maxSegmentMs', async () => {
    const segments: SpeechSegment[] = [];
    const d = new TurnDetector(vad, { onSpeechStart() {}, onSustainedSpeech() {}, onSegment: (s) => segments.push(s), onDiscarded() {} }, { maxSegmentMs: 1000, preRollMs: 0 });
    feed(d, 1500, true);
    await settle();
    expect(segments.length).toBe(1);
    expect(segments[0]!.audio.length).toBeLessThanOrEqual(16000 + 512);
    feed(d, 600, false); // the rest ends normally
    await settle();
    expect(segments.length).toBe(2);
  });

  it('with the VAD stalled, keeps the newest 2 s of backlog in order and drops the oldest', async () => {
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const slow: VoiceActivityDetector = { ...vad, async process(f) { seen.push(f[0]!, f[511]!); await stalled; return 0.1; } };
    const d = new TurnDetector(slow, { onSpeechStart() {}, onSustainedSpeech() {}, onSegment() {}, onDiscarded() {} });
    // Sample n of the stream has the value n mod 30000: a ramp across the backlog's wrap.
    const frame = new Int16Array(320);
    for (let k = 0; k < 150; k++) {
      for (let i = 0; i < 320; i++) frame[i] = (k * 320 + i) % 30000;
      d.push(frame);
    }
    release();
    await settle();
    // The first window left before the stall; after it, 3 s were pushed into 2 s of room:
    // the next window starts 48000 − 32000 = 16000 samples later than where the stall began.
    expect(seen.slice(0, 4)).toEqual([0, 511, 16000, 16511]);
    for (let w = 1; w < seen.length / 2; w++) expect((seen[2 * w + 1]! - seen[2 * w]! + 30000) % 30000).toBe(511);
    expect(seen.length / 2).toBe(1 + Math.floor(32000 / 512));
  });
});
