import { describe, expect, it } from 'vitest';
import { FakeLanguageModel } from './fake.js';

const request = { callId: 'call_test', responseId: 1, messages: [{ role: 'user' as const, content: 'hi' }] };

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* a loaded event loop */ }
}

describe('FakeLanguageModel', () => {
  it('streams on its own clock: tokens that fell due while the loop was busy come at once', async () => {
    const llm = new FakeLanguageModel({ firstTokenMs: 20, interTokenMs: 10, reply: () => 'a b c d e f' });
    const start = performance.now();
    const at: number[] = [];
    for await (const chunk of llm.chat(request)) {
      expect(chunk.type).toBe('text');
      at.push(performance.now() - start);
      if (at.length === 1) busy(80); // tokens 2–6 are due at 30–70 ms: all overdue when the loop frees
    }
    expect(at).toHaveLength(6);
    expect(at[0]).toBeGreaterThanOrEqual(19);
    // Per-token timers would start a fresh 10 ms wait after the busy spell: ≥ 50 ms more.
    expect(at[5]! - at[1]!).toBeLessThan(40);
  });

  it('keeps its spacing when the loop is idle', async () => {
    const llm = new FakeLanguageModel({ firstTokenMs: 5, interTokenMs: 15, reply: () => 'a b c d' });
    const start = performance.now();
    const at: number[] = [];
    for await (const _ of llm.chat(request)) at.push(performance.now() - start);
    // Each token no earlier than its due time (a late timer may bring the next one closer: by design).
    at.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(5 + i * 15 - 1));
  });

  it('takes no timer hop between tokens when interTokenMs is 0', async () => {
    const llm = new FakeLanguageModel({ firstTokenMs: 0, interTokenMs: 0, reply: () => 'a b c' });
    const tokens: string[] = [];
    let ticks = 0;
    const timer = setImmediate(() => ticks++);
    for await (const c of llm.chat(request)) if (c.type === 'text') tokens.push(c.text);
    clearImmediate(timer);
    expect(tokens.join('')).toBe('a b c');
    expect(ticks).toBe(0);
  });
});
