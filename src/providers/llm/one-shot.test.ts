import { describe, expect, it } from 'vitest';
import { LlmError } from './errors.js';
import { oneShotRequest, parseJsonOutput } from './one-shot.js';

/** Work that only ends when its signal aborts, as a fetch to a model that never answers. */
const never = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

describe('oneShotRequest', () => {
  it('a model that never answers fails as an LlmError timeout at the budget', async () => {
    const started = Date.now();
    const err = await oneShotRequest('ollama', 50, undefined, never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("the caller's abort comes back unchanged: a cancelled turn, not a failure", async () => {
    const caller = new AbortController();
    const pending = oneShotRequest('ollama', 10_000, caller.signal, never).catch((e: unknown) => e);
    caller.abort();
    const err = await pending;
    expect(err).not.toBeInstanceOf(LlmError);
    expect((err as Error).name).toBe('AbortError');
  });

  it('a refused connection is unreachable; an answer passes through', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const err = await oneShotRequest('vllm', 1000, undefined, () => Promise.reject(refused)).catch((e: unknown) => e);
    expect((err as LlmError).kind).toBe('unreachable');
    expect(await oneShotRequest('vllm', 1000, undefined, async () => 42)).toBe(42);
  });
});

describe('parseJsonOutput', () => {
  it('parses JSON and names prose from the model invalid_output', () => {
    expect(parseJsonOutput('{"ok":true}', 'ollama')).toEqual({ ok: true });
    expect(() => parseJsonOutput('Sure! Here is the JSON', 'ollama')).toThrow(expect.objectContaining({ kind: 'invalid_output' }));
  });
});
