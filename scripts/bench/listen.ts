/**
 * Listen path: what one call costs while the agent listens — G.711 decode, 8→16 kHz, the turn
 * detector and Silero VAD in its worker thread — for many calls fed in real time (20 ms ticks)
 * with the load test's espeak-ng phrase and its 1.5 s pauses. The same run measures it with the
 * silence gate off (every frame to Silero) as the baseline, alternating, so machine load hits both.
 * A VAD that falls behind drops backlog (the turn detector keeps 2 s), which would make it look
 * cheap: the note says so when it happened.
 *
 *   npx tsx scripts/bench/listen.ts [--quick]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnDetector } from '../../src/agent/turn-detector.js';
import { g711Decode, PCMU } from '../../src/media/g711.js';
import { Resampler } from '../../src/audio/resample.js';
import { defaultSilenceGateOptions } from '../../src/providers/vad/silence-gate.js';
import type { SileroDetector } from '../../src/providers/vad/silero-detector.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { makeSpeechFile } from '../loadtest/audio.js';
import { runWhenMain } from './_standalone.js';
import type { BenchOptions, BenchResult } from './types.js';

const FRAME = 160;
const TICK_MS = 20;

interface ListenRun {
  /** CPU of the whole process (main thread + VAD worker) per call per second of audio, ms. */
  cpuMsPerCallS: number;
  frames: number;
  inferences: number;
  segments: number;
  /** Windows the VAD decided (model or gate) of those the audio held: below 1, the VAD fell behind and dropped backlog. */
  decided: number;
}

async function listen(ulaw: Buffer, calls: number, seconds: number, gate: boolean): Promise<ListenRun> {
  const vad = new SileroVadFactory({ silenceGate: gate ? defaultSilenceGateOptions : null });
  await vad.load();
  let segments = 0;
  const lines = await Promise.all(Array.from({ length: calls }, async (_, i) => {
    const detectorVad = await vad.create();
    return {
      // Each call starts at a different place in the phrase, as calls do.
      at: Math.floor((i * ulaw.length) / calls / FRAME) * FRAME,
      upsampler: new Resampler(8000, 16000),
      vad: detectorVad,
      detector: new TurnDetector(detectorVad, {
        onSpeechStart: () => {}, onSustainedSpeech: () => {}, onDiscarded: () => {}, onSegment: () => void segments++,
      }),
    };
  }));
  const pcm = new Int16Array(FRAME);
  const frame16 = new Int16Array(2 * FRAME);
  const ticks = Math.round((seconds * 1000) / TICK_MS);
  const before = vad.stats;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let tick = 0; tick < ticks; tick++) {
    for (const line of lines) {
      g711Decode(PCMU, ulaw, line.at, FRAME, pcm, 0);
      line.at = line.at + 2 * FRAME > ulaw.length ? 0 : line.at + FRAME;
      frame16.set(line.upsampler.process(pcm, FRAME));
      line.detector.push(frame16);
    }
    const next = t0 + (tick + 1) * TICK_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  const cpu = process.cpuUsage(cpu0);
  const after = vad.stats;
  const gated = lines.reduce((n, line) => n + (line.vad as SileroDetector).gatedFrames, 0);
  for (const line of lines) line.detector.close();
  // Frames still in the worker finish first: terminating ORT mid-inference aborts the process.
  await Promise.all(lines.map((line) => line.vad.close()));
  await vad.close();
  return {
    cpuMsPerCallS: (cpu.user + cpu.system) / 1000 / calls / seconds,
    frames: after.frames - before.frames, inferences: after.inferences - before.inferences, segments,
    decided: Math.min(1, (after.frames - before.frames + gated) / ((calls * seconds * 16000) / 512)),
  };
}

export default async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const [calls, seconds, rounds] = opts.quick ? [25, 4, 1] : [50, 8, 2];
  const dir = await mkdtemp(join(tmpdir(), 'pv-bench-listen-'));
  try {
    const ulaw = await readFile(await makeSpeechFile(dir));
    const on: ListenRun[] = [];
    const off: ListenRun[] = [];
    for (let r = 0; r < rounds; r++) {
      opts.log(`listen: ${calls} calls × ${seconds} s, round ${r + 1}/${rounds}: gate off, then on`);
      off.push(await listen(ulaw, calls, seconds, false));
      on.push(await listen(ulaw, calls, seconds, true));
    }
    const best = (runs: ListenRun[]) => runs.reduce((a, b) => (b.cpuMsPerCallS < a.cpuMsPerCallS ? b : a));
    const [g, base] = [best(on), best(off)];
    const expectedFrames = (calls * seconds * 16000) / 512;
    return [
      {
        name: 'listen: CPU per listening call (decode, 8→16 kHz, turn detector, Silero in its worker)', value: round(g.cpuMsPerCallS / 10, 3), unit: '% of a core',
        baseline: { name: 'silence gate off (every frame to Silero)', value: round(base.cpuMsPerCallS / 10, 3), unit: '% of a core' },
        ratio: round(g.cpuMsPerCallS / base.cpuMsPerCallS, 2),
        note: `${calls} calls fed in real time for ${seconds} s, best of ${rounds}; whole process (main + worker) CPU; ` +
          `Silero frames ${g.frames} of ${Math.round(expectedFrames)} (gate off: ${base.frames}); segments ${g.segments} (gate off: ${base.segments})` +
          (Math.min(g.decided, base.decided) < 0.98 ? `; NOT COMPARABLE: the VAD fell behind and dropped audio (decided ${pct(g.decided)} / ${pct(base.decided)} of windows) — machine too busy` : ''),
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));
const pct = (x: number) => `${Math.round(x * 100)} %`;

runWhenMain(import.meta.url, run);
