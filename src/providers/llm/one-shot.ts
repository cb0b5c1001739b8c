import { Deadline } from './deadline.js';
import { LlmError, toLlmError } from './errors.js';

/**
 * A request that is not streamed (JSON output, warm-up) gets one total budget instead of an
 * idle timeout. Whatever `work` throws comes out as an LlmError, except the caller's own
 * abort: that is a cancelled turn.
 */
export async function oneShotRequest<T>(
  provider: string,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = new Deadline(timeoutMs, callerSignal);
  try {
    return await work(deadline.signal);
  } catch (err) {
    throw toLlmError(err, provider, callerSignal);
  } finally {
    deadline.dispose();
  }
}

export function parseJsonOutput(text: string, provider: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new LlmError('invalid_output', `${provider}: model output is not JSON`);
  }
}
