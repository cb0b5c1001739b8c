import type { SileroModelInfo, SileroWindowMs } from './silero-model.js';

/**
 * Messages between the main thread and the Silero worker. A batch is two transferred
 * buffers: `ops` holds (detector id, op) pairs in submission order, `pcm` the frames of
 * the frame ops back to back. Every batch gets exactly one reply, in order.
 */
export interface SileroWorkerData {
  modelPath: string;
  sampleRate: number;
  windowMs: SileroWindowMs;
  intraOpThreads: number;
  /** Nice steps the worker thread drops itself by (0: same priority as the main thread). */
  niceness: number;
}

export const Op = {
  frame: 0,
  /** The detector was reset since its last frame: start this one from a zero state. */
  frameAfterReset: 1,
  /** The detector is closed: forget its state. */
  drop: 2,
} as const;

export interface FrameBatch {
  ops: Int32Array;
  pcm: Int16Array;
}

/**
 * Crash drill: the worker exits (code `CRASH_DRILL_EXIT_CODE`) at the next moment no ORT call
 * is running, frames in flight unanswered. A terminate() that lands inside ORT's native
 * session.run() can abort the whole process, so drills never terminate a busy worker.
 */
export interface CrashDrill {
  type: 'crash';
}

export const CRASH_DRILL_EXIT_CODE = 70;

export type WorkerReply =
  | { type: 'ready'; info: SileroModelInfo }
  | { type: 'load_failed'; message: string }
  /** One probability per frame op of the batch, in order; the batch's buffers come back for reuse. */
  | { type: 'results'; probabilities: Float32Array; inferences: number; returned: FrameBatch }
  | { type: 'failed'; message: string };
