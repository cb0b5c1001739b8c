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

  it('with the VAD stalled, sends four windows, keeps the newest 2 s of backlog in order and drops the oldest', async () => {
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
    // Four windows left before the stall (up to four go unanswered); after them, 3 s were pushed
    // into 2 s of room: the next window starts 48000 − 32000 = 16000 samples into the stream.
    expect(seen.slice(0, 10)).toEqual([0, 511, 512, 1023, 1024, 1535, 1536, 2047, 16000, 16511]);
    for (let w = 1; w < seen.length / 2; w++) expect((seen[2 * w + 1]! - seen[2 * w]! + 30000) % 30000).toBe(511);
    expect(seen.length / 2).toBe(4 + Math.floor(32000 / 512));
  });

  it('sends each window when it fills, without waiting for the answer before it; answers are taken in order', async () => {
    const answers: Array<(p: number) => void> = [];
    const lagging: VoiceActivityDetector = { ...vad, process: () => new Promise<number>((r) => answers.push(r)) };
    const events: string[] = [];
    const d = new TurnDetector(lagging, { onSpeechStart: () => events.push('start'), onSustainedSpeech() {}, onSegment: () => events.push('segment'), onDiscarded() {} },
      { endpointingMs: 100, minSpeechMs: 50 });
    feed(d, 200, true); // 6 windows of 32 ms
    expect(answers).toHaveLength(4); // sent while none was answered, up to four
    answers[1]!(0.9); // out of order: not heard before the first
    await settle();
    expect(events).toEqual([]);
    answers[0]!(0.9);
    await settle();
    expect(events).toEqual(['start']);
    expect(answers).toHaveLength(6); // two answered: the two waiting windows left
  });

  it('stamps speech with when its audio arrived, not when the VAD answered', async () => {
    let clock = 1000;
    const answers: Array<(p: number) => void> = [];
    const lagging: VoiceActivityDetector = { ...vad, process: (f) => { const p = Math.abs(f[256]!) > 1000 ? 0.9 : 0.1; return new Promise<number>((r) => answers.push(() => r(p))); } };
    const segments: SpeechSegment[] = [];
    const lags: number[] = [];
    const d = new TurnDetector(lagging, { onSpeechStart() {}, onSustainedSpeech() {}, onSegment: (s) => segments.push(s), onDiscarded() {} },
      { endpointingMs: 100, minSpeechMs: 50, preRollMs: 0, now: () => clock, onVadLag: (ms) => lags.push(ms) });
    const frame = new Int16Array(320);
    const pushFor = (ms: number, value: number) => { for (let i = 0; i < ms / 20; i++) { frame.fill(value); d.push(frame); clock += 20; } };
    pushFor(320, 5000); // 10 windows of speech; the 10th fills at the push made at clock 1300
    pushFor(160, 0); // 5 silent windows
    clock += 500; // the VAD answers everything half a second later
    for (let i = 0; i < 30 && segments.length === 0; i++) {
      answers.splice(0).forEach((answer) => answer(0));
      await settle();
    }
    expect(segments).toHaveLength(1);
    expect(segments[0]!.lastSpeechAt).toBe(1300);
    expect(segments[0]!.speechStartAt).toBe(1020); // the first window (512 samples) filled on the second push
    expect(segments[0]!.endedAt).toBe(clock);
    expect(lags[0]).toBe(clock - 1020); // the first window: arrived at 1020, answered now
    expect(lags.every((ms) => ms >= 500)).toBe(true);
  });

  it('does not hear windows sent before reset()', async () => {
    const answers: Array<(p: number) => void> = [];
    const lagging: VoiceActivityDetector = { ...vad, process: () => new Promise<number>((r) => answers.push(r)) };
    const events: string[] = [];
    const d = new TurnDetector(lagging, { onSpeechStart: () => events.push('start'), onSustainedSpeech() {}, onSegment() {}, onDiscarded() {} });
    feed(d, 100, true);
    d.reset();
    answers.splice(0).forEach((answer) => answer(0.9));
    await settle();
    expect(events).toEqual([]);
    feed(d, 100, true);
    answers.splice(0).forEach((answer) => answer(0.9));
    await settle();
    expect(events).toEqual(['start']);
  });
});
