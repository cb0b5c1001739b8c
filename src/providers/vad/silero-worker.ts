import { parentPort, workerData } from 'node:worker_threads';
import { SileroModel } from './silero-model.js';
import { CRASH_DRILL_EXIT_CODE, Op, type CrashDrill, type FrameBatch, type SileroWorkerData, type WorkerReply } from './silero-protocol.js';
import { lowerThisThreadPriority } from '../../ops/thread-priority.js';

/**
 * Worker thread that owns the Silero session and every call's recurrent state, so inference
 * never blocks the main thread's media clock. Batches run strictly in arrival order.
 */
const { modelPath, sampleRate, windowMs, intraOpThreads, niceness } = workerData as SileroWorkerData;
lowerThisThreadPriority(niceness);
const port = parentPort!;
const states = new Map<number, Float32Array>();
const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

/** Native ORT calls under way (the model load, an inference): a crash drill waits for none. */
let inOrt = 1;
let crashAsked = false;
const crashPoint = (): void => {
  if (crashAsked && inOrt === 0) process.exit(CRASH_DRILL_EXIT_CODE);
};
const outsideOrt = (): void => {
  inOrt--;
  crashPoint();
};

const loading = SileroModel.load(modelPath, sampleRate, intraOpThreads, windowMs);
loading.finally(outsideOrt).catch(() => undefined);
loading.then((model) => post({ type: 'ready', info: model.info }), (err: Error) => post({ type: 'load_failed', message: err.message }));

let queue: Promise<unknown> = Promise.resolve();
port.on('message', (message: FrameBatch | CrashDrill) => {
  if ('type' in message) {
    crashAsked = true;
    return crashPoint();
  }
  const batch = message;
  queue = queue.then(async () => {
    try {
      const model = await loading;
      const { probabilities, inferences } = await runBatch(model, batch);
      const returned = { ops: new Int32Array(batch.ops.buffer), pcm: new Int16Array(batch.pcm.buffer) };
      post({ type: 'results', probabilities, inferences, returned }, [probabilities.buffer, returned.ops.buffer, returned.pcm.buffer] as ArrayBuffer[]);
    } catch (err) {
      post({ type: 'failed', message: (err as Error).message });
    }
  });
});

/**
 * A batch may hold several frames of one detector (its state is recurrent), so frames run
 * in waves: wave k holds every detector's k-th frame of the batch, in one inference.
 */
async function runBatch(model: SileroModel, { ops, pcm }: FrameBatch): Promise<{ probabilities: Float32Array; inferences: number }> {
  const n = model.frameSamples;
  const waves: { frames: Int16Array[]; states: Float32Array[]; slots: number[]; resets: Float32Array[] }[] = [];
  const framesSeen = new Map<number, number>();
  const drops: number[] = [];
  let slot = 0;
  for (let i = 0; i < ops.length; i += 2) {
    const id = ops[i]!;
    const op = ops[i + 1]!;
    if (op === Op.drop) { drops.push(id); continue; }
    let state = states.get(id);
    if (!state) states.set(id, (state = model.newState()));
    const k = framesSeen.get(id) ?? 0;
    framesSeen.set(id, k + 1);
    const wave = (waves[k] ??= { frames: [], states: [], slots: [], resets: [] });
    // Cleared right before wave k runs: after this detector's earlier frames, before this one.
    if (op === Op.frameAfterReset) wave.resets.push(state);
    wave.frames.push(pcm.subarray(slot * n, (slot + 1) * n));
    wave.states.push(state);
    wave.slots.push(slot++);
  }
  const probabilities = new Float32Array(slot);
  let inferences = 0;
  for (const wave of waves) {
    for (const state of wave.resets) state.fill(0);
    const out = new Float32Array(wave.frames.length);
    inOrt++;
    try {
      inferences += await model.infer(wave.frames, wave.states, out);
    } finally {
      outsideOrt();
    }
    wave.slots.forEach((s, i) => (probabilities[s] = out[i]!));
  }
  for (const id of drops) states.delete(id);
  return { probabilities, inferences };
}
