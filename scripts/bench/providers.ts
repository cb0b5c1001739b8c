import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { speech16k } from '../../test/providers/speech.js';
import { ensureFixtureModels } from '../make-fixtures.js';
import { encodeModel } from '../fixtures/onnx.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { PiperTts } from '../../src/providers/tts/piper.js';
import type { TextToSpeech, VoiceActivityDetector } from '../../src/providers/types.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { MediaClock } from '../../src/media/clock.js';
import { runWhenMain } from './_standalone.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * Speech providers: Silero VAD cost per 512-sample frame and per concurrent call (a call
 * feeds 31.25 frames a second), against an ORT identity model run in the same loop (the
 * floor of any ONNX call from Node); the worker-thread VAD (the default) against the
 * in-thread one: latency per frame and what each call costs the main thread, which also
 * runs the media clock; TTS time to first audio for espeak-ng (against spawning /bin/true)
 * and for Piper on the fixture voice (phonemizer + ORT, against espeak).
 */
const FRAME = 512;
const FRAMES_PER_SECOND = 16000 / FRAME;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** p50/p95/p99 of an ascending list. */
const spread = (sorted: number[], digits = 3) => ({
  p50: round(percentile(sorted, 50), digits), p95: round(percentile(sorted, 95), digits), p99: round(percentile(sorted, 99), digits),
});

/** The main figure beside the same run's baseline in the same unit; ratio = value / baseline. */
const against = (value: number, unit: string, baseline: { name: string; value: number }, digits = 3) => ({
  value: round(value, digits), unit,
  baseline: { name: baseline.name, value: round(baseline.value, digits), unit },
  ratio: round(value / baseline.value, 2),
});

/** An ORT session doing nothing: the per-run overhead every ONNX model pays from Node. */
async function identityDetector(dir: string): Promise<VoiceActivityDetector & { release(): Promise<void> }> {
  const path = join(dir, 'identity.onnx');
  writeFileSync(path, encodeModel({
    name: 'identity', initializers: [],
    inputs: [{ name: 'input', type: 'FLOAT', shape: [1, FRAME] }],
    outputs: [{ name: 'output', type: 'FLOAT', shape: [1, FRAME] }],
    nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }],
  }));
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const input = new Float32Array(FRAME);
  const feeds = { input: new ort.Tensor('float32', input, [1, FRAME]) };
  return {
    sampleRate: 16000, frameSamples: FRAME, reset() {}, close: async () => {}, release: () => session.release(),
    async process(frame) {
      for (let i = 0; i < FRAME; i++) input[i] = frame[i]! / 32768;
      return ((await session.run(feeds)).output!.data as Float32Array)[0]!;
    },
  };
}

interface FrameCost { latenciesMs: number[]; cpuMsPerFrame: number; mainCpuMsPerFrame: number; clockLateMs?: number[] }

/** CPU time (ms) of the main thread alone, so work moved to a worker does not count. */
function mainThreadCpuMs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const usage = process.cpuUsage(); // no procfs: the whole process, an upper bound
    return (usage.user + usage.system) / 1000;
  }
}

function frameCost(latenciesMs: number[], frames: number, cpuStart: NodeJS.CpuUsage, mainStartMs: number): FrameCost {
  const cpu = process.cpuUsage(cpuStart);
  return {
    latenciesMs: latenciesMs.sort((a, b) => a - b),
    cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / frames,
    mainCpuMsPerFrame: (mainThreadCpuMs() - mainStartMs) / frames,
  };
}

/** The `k`th frame of the audio, looping. */
function frameAt(audio: Int16Array, k: number): Int16Array {
  const i = k % Math.floor(audio.length / FRAME);
  return audio.subarray(i * FRAME, (i + 1) * FRAME);
}

/** `calls` detectors each fed one frame per round, all frames of a round in flight together. */
async function measureFrames(detectors: VoiceActivityDetector[], audio: Int16Array, rounds: number): Promise<FrameCost> {
  const latenciesMs: number[] = [];
  const cpuStart = process.cpuUsage();
  const mainStart = mainThreadCpuMs();
  for (let r = 0; r < rounds; r++) {
    const frame = frameAt(audio, r);
    await Promise.all(detectors.map(async (d) => {
      const t = performance.now();
      await d.process(frame);
      latenciesMs.push(performance.now() - t);
    }));
  }
  return frameCost(latenciesMs, rounds * detectors.length, cpuStart, mainStart);
}

/**
 * Calls as a server sees them: each sends one frame every 32 ms in real time, their phases
 * spread over the 32 ms, so frames arrive a few at a time rather than all together. The
 * server's media clock runs beside them with one subscriber per call; how late its 20 ms
 * sends run is what VAD work on the main thread costs outbound RTP.
 */
async function measurePaced(detectors: VoiceActivityDetector[], audio: Int16Array, durationMs: number): Promise<FrameCost> {
  const frameMs = 1000 / FRAMES_PER_SECOND;
  const sleep = (ms: number) => new Promise((res) => setTimeout(res, Math.max(0, ms)));
  const latenciesMs: number[] = [];
  const clock = new MediaClock();
  const clockLateMs: number[] = [];
  const unsubscribe = detectors.map(() => clock.subscribe({ send: () => clockLateMs.push(clock.lateMs()) }));
  const cpuStart = process.cpuUsage();
  const mainStart = mainThreadCpuMs();
  const start = performance.now();
  await Promise.all(detectors.map(async (d, call) => {
    const phase = start + (call * frameMs) / detectors.length;
    await sleep(phase - performance.now());
    for (let k = 0; performance.now() - start < durationMs; k++) {
      const t = performance.now();
      await d.process(frameAt(audio, k));
      latenciesMs.push(performance.now() - t);
      await sleep(phase + (k + 1) * frameMs - performance.now());
    }
  }));
  for (const off of unsubscribe) off();
  return { ...frameCost(latenciesMs, latenciesMs.length, cpuStart, mainStart), clockLateMs: clockLateMs.sort((a, b) => a - b) };
}

/** ms of CPU per frame → % of one core for one call (31.25 frames of audio a second). */
const percentOfCorePerCall = (msPerFrame: number): number => (msPerFrame * FRAMES_PER_SECOND) / 10;

async function timeToFirstAudio(tts: TextToSpeech, sentences: string[], runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const controller = new AbortController();
    const t = performance.now();
    for await (const _chunk of tts.synthesize(sentences[i % sentences.length]!, controller.signal)) {
      times.push(performance.now() - t);
      break; // leaving the loop ends the generator, which kills the work behind it
    }
  }
  return times.sort((a, b) => a - b);
}

async function spawnTrueMs(runs: number): Promise<number[]> {
  const { spawn } = await import('node:child_process');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await new Promise((res) => spawn('true').once('close', res));
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

export default async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pv-bench-providers-'));
  const results: BenchResult[] = [];
  const factory = new SileroVadFactory({ inThread: true });
  const workerFactory = new SileroVadFactory();
  try {
    const audio = speech16k('Hello, I would like to book an appointment for next Tuesday morning, please. Thank you.');
    const rounds = opts.quick ? 1500 : 6000;
    const concurrentCalls = opts.quick ? 10 : 40;

    const identity = await identityDetector(dir);
    await measureFrames([identity], audio, 200); // warm both paths before measuring
    const silero = await factory.create();
    await measureFrames([silero], audio, 200);

    opts.log(`providers: VAD, ${rounds} frames, 1 call`);
    const base1 = await measureFrames([identity], audio, rounds);
    const vad1 = await measureFrames([silero], audio, rounds);
    const p50 = percentile(vad1.latenciesMs, 50);
    const baseP50 = percentile(base1.latenciesMs, 50);
    results.push({
      name: 'providers: silero vad (in-thread) per 512-sample frame',
      ...against(p50, 'ms (p50)', { name: 'ORT identity model, same loop', value: baseP50 }),
      ...spread(vad1.latenciesMs),
      note: `ratio = silero p50 / identity p50 (lower is better); identity p99 ${round(percentile(base1.latenciesMs, 99))} ms`,
    });

    opts.log(`providers: VAD, ${concurrentCalls} concurrent calls`);
    const detectors = await Promise.all(Array.from({ length: concurrentCalls }, () => factory.create()));
    const identities = Array.from({ length: concurrentCalls }, () => identity);
    const roundsN = Math.ceil(rounds / concurrentCalls) * 2;
    const baseN = await measureFrames(identities, audio, roundsN);
    const vadN = await measureFrames(detectors, audio, roundsN);
    const cpuPerCall = percentOfCorePerCall(vadN.cpuMsPerFrame);
    const baseCpuPerCall = percentOfCorePerCall(baseN.cpuMsPerFrame);
    results.push({
      name: `providers: silero vad (in-thread) CPU per call (${concurrentCalls} concurrent)`,
      ...against(cpuPerCall, '% of one core', { name: 'ORT identity model, same loop', value: baseCpuPerCall }, 2),
      ...spread(vadN.latenciesMs),
      note: `percentiles are per-frame latency (ms) with all calls' frames in flight; ≈ ${Math.floor(100 / cpuPerCall)} calls per core for VAD alone`,
    });
    await Promise.all(detectors.map((d) => d.close()));
    await identity.release();

    opts.log('providers: VAD in a worker thread vs in-thread, 1 call');
    const workerVad = await workerFactory.create();
    await measureFrames([workerVad], audio, 200);
    const worker1 = await measureFrames([workerVad], audio, rounds);
    const workerP50 = percentile(worker1.latenciesMs, 50);
    results.push({
      name: 'providers: silero vad (worker thread) per 512-sample frame',
      ...against(workerP50, 'ms (p50)', { name: 'in-thread silero, same frames', value: p50 }),
      ...spread(worker1.latenciesMs),
      note: `ratio = worker p50 / in-thread p50: what a lone call waits for the batching window (batchWindowMs, 5 ms by default) and the message round trip; main thread ${round(worker1.mainCpuMsPerFrame)} vs ${round(vad1.mainCpuMsPerFrame)} ms CPU per frame`,
    });

    const pacedMs = opts.quick ? 2000 : 6000;
    const pacedCalls = opts.quick ? 40 : 120;
    opts.log(`providers: VAD main-thread CPU and media clock lateness, ${pacedCalls} calls paced in real time for ${pacedMs} ms, in-thread then worker`);
    const inThreadCalls = await Promise.all(Array.from({ length: pacedCalls }, () => factory.create()));
    const workerCalls = await Promise.all(Array.from({ length: pacedCalls }, () => workerFactory.create()));
    const pacedIn = await measurePaced(inThreadCalls, audio, pacedMs);
    const before = workerFactory.stats;
    const pacedWorker = await measurePaced(workerCalls, audio, pacedMs);
    const after = workerFactory.stats;
    const mainIn = percentOfCorePerCall(pacedIn.mainCpuMsPerFrame);
    const mainWorker = percentOfCorePerCall(pacedWorker.mainCpuMsPerFrame);
    const framesPerInference = (after.frames - before.frames) / Math.max(1, after.inferences - before.inferences);
    results.push({
      name: `providers: silero vad (worker thread) main-thread CPU per call (${pacedCalls} paced calls)`,
      ...against(mainWorker, '% of one core', { name: 'in-thread silero, same paced calls', value: mainIn }, 2),
      ...spread(pacedWorker.latenciesMs),
      note: `ratio = main-thread CPU worker / in-thread (lower is better); whole process ${round(percentOfCorePerCall(pacedWorker.cpuMsPerFrame), 2)} vs ${round(percentOfCorePerCall(pacedIn.cpuMsPerFrame), 2)} % per call; `
        + `${round(framesPerInference, 1)} frames per batched inference; percentiles are worker per-frame latency (ms), in-thread p50/p99 ${round(percentile(pacedIn.latenciesMs, 50))}/${round(percentile(pacedIn.latenciesMs, 99))}`,
    });
    const lateIn = percentile(pacedIn.clockLateMs!, 99);
    const lateWorker = percentile(pacedWorker.clockLateMs!, 99);
    results.push({
      name: `providers: media clock send lateness beside silero vad (worker thread, ${pacedCalls} paced calls)`,
      ...against(lateWorker, 'ms (p99)', { name: 'in-thread silero, same paced calls', value: lateIn }, 2),
      ...spread(pacedWorker.clockLateMs!, 2),
      note: `ratio = worker / in-thread p99 lateness of the 20 ms media clock's sends (lower is better); in-thread p50/p95 ${round(percentile(pacedIn.clockLateMs!, 50), 2)}/${round(percentile(pacedIn.clockLateMs!, 95), 2)} ms`,
    });
    await Promise.all([...inThreadCalls, ...workerCalls, workerVad].map((d) => d.close()));

    const sentences = ['Thank you for calling.', 'How can I help you today?', 'Your appointment is booked for Tuesday at nine.'];
    const runs = opts.quick ? 10 : 40;
    opts.log(`providers: TTS time to first audio, ${runs} sentences each`);
    const spawnBase = await spawnTrueMs(runs);
    const espeak = await timeToFirstAudio(new EspeakTts(), sentences, runs);
    results.push({
      name: 'providers: espeak-ng time to first audio',
      ...against(percentile(espeak, 50), 'ms (p50)', { name: 'spawn /bin/true', value: percentile(spawnBase, 50) }, 1),
      ...spread(espeak, 1),
      note: 'ratio = espeak p50 / bare process spawn p50',
    });

    const fixtures = ensureFixtureModels();
    const piper = new PiperTts({ modelsDir: fixtures.modelsDir, voice: fixtures.piperVoice });
    await timeToFirstAudio(piper, sentences, 2); // load the session and the phonemizer's WASM
    const piperTimes = await timeToFirstAudio(piper, sentences, runs);
    await piper.close();
    results.push({
      name: 'providers: piper (fixture voice) time to first audio',
      ...against(percentile(piperTimes, 50), 'ms (p50)', { name: 'espeak-ng time to first audio', value: percentile(espeak, 50) }, 1),
      ...spread(piperTimes, 1),
      note: 'phonemizer (espeak-ng WASM) + a tiny ORT graph: the pipeline overhead a real voice adds its inference to',
    });
  } finally {
    await Promise.all([factory.close(), workerFactory.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

runWhenMain(import.meta.url, run);
