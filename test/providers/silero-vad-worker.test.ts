import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { VoiceActivityDetector } from '../../src/providers/types.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { roomTone, speech16k } from './speech.js';
import { threadNices } from '../support/thread-nice.js';

const FRAME = 512;
const speech = speech16k('Hello, I would like to book an appointment for tomorrow morning.');
const frameCount = Math.floor(speech.length / FRAME);
const frameAt = (audio: Int16Array, i: number): Int16Array => audio.subarray(i * FRAME, (i + 1) * FRAME);

const inThread = new SileroVadFactory({ inThread: true });
const worker = new SileroVadFactory();
afterAll(() => Promise.all([inThread.close(), worker.close()]));

async function oneByOne(vad: VoiceActivityDetector, audio: Int16Array): Promise<number[]> {
  const probabilities: number[] = [];
  for (let i = 0; i < Math.floor(audio.length / FRAME); i++) probabilities.push(await vad.process(frameAt(audio, i)));
  return probabilities;
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((p, i) => Math.abs(p - expected[i]!)));
  expect(worst).toBeLessThan(1e-4);
}

describe('Silero VAD in a worker thread', () => {
  it.skipIf(process.platform !== 'linux')(`runs inference in a thread 10 nice steps below the main thread${process.platform === 'linux' ? '' : ' — skipped: needs Linux /proc'}`, async () => {
    const own = threadNices()[0]!;
    const lowered = Math.min(19, own + 10);
    const niced = new SileroVadFactory();
    try {
      const before = threadNices().filter((n) => n === lowered).length;
      await niced.load();
      expect(threadNices().filter((n) => n === lowered).length).toBeGreaterThan(before);
      expect(threadNices()[0]).toBe(own);
    } finally {
      await niced.close();
    }
  });

  it('hears espeak-ng speech exactly as the in-thread detector does', async () => {
    const expected = await oneByOne(await inThread.create(), speech);
    const actual = await oneByOne(await worker.create(), speech);
    expect(expected.filter((p) => p > 0.5).length).toBeGreaterThan(frameCount * 0.4);
    expectClose(actual, expected);
  });

  it('keeps every call\'s state apart when their frames are batched and several are queued per call', async () => {
    // Four calls hear different audio (speech shifted, room tone); all their frames are submitted
    // at once, so one batch holds several frames of each call.
    const inputs = [speech, speech.subarray(FRAME * 7), roomTone(speech.length, 3000), speech.subarray(FRAME * 21)];
    const expected = await Promise.all(inputs.map(async (audio) => oneByOne(await inThread.create(), audio)));
    const detectors = await Promise.all(inputs.map(() => worker.create()));
    const pending = inputs.map(() => [] as Promise<number>[]);
    for (let i = 0; i < frameCount; i++) {
      inputs.forEach((audio, call) => {
        if ((i + 1) * FRAME <= audio.length) pending[call]!.push(detectors[call]!.process(frameAt(audio, i)));
      });
    }
    const actual = await Promise.all(pending.map((p) => Promise.all(p)));
    actual.forEach((probabilities, call) => expectClose(probabilities, expected[call]!));
  });

  it('reset() takes effect between the frames queued before and after it', async () => {
    const expected = await oneByOne(await inThread.create(), speech.subarray(0, FRAME * 6));
    const vad = await worker.create();
    const before = [0, 1, 2].map((i) => vad.process(frameAt(speech, i)));
    vad.reset();
    const after = [0, 1, 2].map((i) => vad.process(frameAt(speech, i)));
    expectClose(await Promise.all(before), expected.slice(0, 3));
    expectClose(await Promise.all(after), expected.slice(0, 3));
  });

  it('sends frames of many calls arriving in one event-loop turn as one message and one inference', async () => {
    const detectors = await Promise.all(Array.from({ length: 24 }, () => worker.create()));
    const before = worker.stats;
    await Promise.all(detectors.map((vad, i) => vad.process(frameAt(speech, i))));
    const after = worker.stats;
    expect(after.frames - before.frames).toBe(24);
    expect(after.batches - before.batches).toBe(1);
    expect(after.inferences - before.inferences).toBe(1);
    await Promise.all(detectors.map((vad) => vad.close()));
  });

  it('spreads calls over several workers when asked, with the same answers', async () => {
    const factory = new SileroVadFactory({ workers: 2 });
    const [a, b] = [await factory.create(), await factory.create()];
    expect(factory.workersRunning).toBe(2);
    const expected = await oneByOne(await inThread.create(), speech);
    const [pa, pb] = await Promise.all([oneByOne(a, speech), oneByOne(b, speech)]);
    expectClose(pa, expected);
    expectClose(pb, expected);
    await factory.close();
    expect(factory.workersRunning).toBe(0);
  });

  it('a crashed worker fails the frames it held with a clear error; calls go on with a new worker', async () => {
    // Every frame to the model (no silence gate): the batch stays long enough to be killed while
    // queued. The drill makes the worker exit between two ORT calls: a terminate() that landed
    // inside session.run() aborted the whole test process now and then (native callback into a
    // torn-down worker), which is also why close() waits for the batch in flight.
    const factory = new SileroVadFactory({ silenceGate: null });
    const survivor = await factory.create();
    // ~200 frames of one call run one by one (its state is recurrent): tens of ms of work to interrupt.
    const frames = Array.from({ length: 200 }, (_, i) => survivor.process(frameAt(speech, i % frameCount)));
    while (factory.stats.batches === 0) await new Promise((resolve) => setTimeout(resolve, 1)); // the batch is on its way
    await factory.killWorkers();
    const outcomes = await Promise.allSettled(frames);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toMatch(/Silero VAD worker exited unexpectedly/);
    expect(factory.stats.crashes).toBe(1);
    expect(factory.workersRunning).toBe(0);
    // Running calls do not restart a crashing worker frame after frame; a new call does.
    await expect(survivor.process(frameAt(speech, 10))).rejects.toThrow(/exited unexpectedly/);
    expect(factory.workersRunning).toBe(0);

    const fresh = await inThread.create();
    const expected = await fresh.process(frameAt(speech, 10));
    const next = await factory.create();
    expect(await next.process(frameAt(speech, 10))).toBeCloseTo(expected, 4);
    // The old call lost its state with the worker and starts over from silence.
    expect(await survivor.process(frameAt(speech, 10))).toBeCloseTo(expected, 4);
    await factory.close();
  });

  it('close() ends the worker, and the process exits by itself afterwards', async () => {
    const factory = new SileroVadFactory();
    await (await factory.create()).process(frameAt(speech, 10));
    expect(factory.workersRunning).toBe(1);
    await factory.close();
    expect(factory.workersRunning).toBe(0);

    const script = fileURLToPath(new URL('./fixtures/silero-worker-exit.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, script], { timeout: 20_000 });
    const result = JSON.parse(stdout.trim()) as { probability: number; workersRunning: number };
    expect(result.probability).toBeGreaterThanOrEqual(0);
    expect(result.workersRunning).toBe(0);
  });

  it('close() during an inference lets that batch finish: its frames are answered, later ones fail cleanly', async () => {
    const factory = new SileroVadFactory({ silenceGate: null });
    const vad = await factory.create();
    // One call's frames run one by one in the worker: a batch of 150 is tens of ms inside ORT.
    const frames = Array.from({ length: 150 }, (_, i) => vad.process(frameAt(speech, i % frameCount)));
    while (factory.stats.batches === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const late = vad.process(frameAt(speech, 3)); // staged behind the batch in flight
    await factory.close();
    const answered = await Promise.allSettled(frames);
    expect(answered.every((o) => o.status === 'fulfilled' && o.value >= 0 && o.value <= 1)).toBe(true);
    await expect(late).rejects.toThrow(/closed/);
    expect(factory.workersRunning).toBe(0);
  });
});
