import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/media/latency-histogram.js';
import { shareLate, wireLateness } from '../../scripts/bench/wire-lateness.js';

describe('send lead: frames made ahead, sent on the UDP I/O thread\'s clock', () => {
  it('keeps main-thread stalls shorter than the lead off the wire (a receiving process times every packet)', async () => {
    // 35 ms stalls against a 40 ms lead; thresholds with room for a loaded CI box, where any
    // thread may wait a few ms for a CPU.
    const without = shareLate((await wireLateness({ sendLeadMs: 0, seconds: 3, stallMs: 35 })).late, 10);
    const jitter = new LatencyHistogram();
    const withLead = await wireLateness({ sendLeadMs: 40, seconds: 3, stallMs: 35, sendJitter: jitter });
    // The stalls do reach the wire without a lead: this is what the lead must hide.
    expect(without).toBeGreaterThan(0.1);
    // With it, packets more than 10 ms late are at most a quarter as common (alone: none).
    expect(shareLate(withLead.late, 10)).toBeLessThanOrEqual(without / 4);
    expect(withLead.late.length).toBeGreaterThan(100);
    // The thread reports how late it sent each sub-tick's batch (about once a second).
    expect(jitter.count).toBeGreaterThan(50);
    expect(jitter.percentile(0.5)).toBeLessThan(5);
  }, 20_000);

  it('sends every packet a closing session made, before its socket closes', async () => {
    const { unsent } = await wireLateness({ sendLeadMs: 40, seconds: 0.5, stallMs: 0 });
    expect(unsent).toBe(0); // packets sent (the session's count) minus packets received
  }, 10_000);
});
