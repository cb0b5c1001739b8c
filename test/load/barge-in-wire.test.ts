import { describe, expect, it } from 'vitest';
import { bargeInOnWire, mulawLevel, type WirePacket } from '../../scripts/loadtest/barge-in-wire.js';

/** 20 ms packets from `fromMs` to `toMs`; `loud(t)` says whether the packet at t carries sound. */
function stream(toCaller: boolean, fromMs: number, toMs: number, loud: (t: number) => boolean): WirePacket[] {
  const out: WirePacket[] = [];
  for (let t = fromMs; t < toMs; t += 20) out.push({ atMs: t, toCaller, level: loud(t) ? 2000 : 0 });
  return out;
}

describe('barge-in timing read from RTP on the wire', () => {
  it('onset = first loud caller packet; silent = first assistant packet of a 300 ms quiet run (word gaps do not count)', () => {
    const caller = stream(false, 0, 3000, (t) => t >= 1000);
    // The assistant talks in 140 ms words with 60 ms gaps; its last word ends at 1340 ms, then it is silent.
    const assistant = stream(true, 0, 3000, (t) => t < 1400 && t % 200 < 140);
    expect(bargeInOnWire([...assistant, ...caller])).toEqual({ onsetAtMs: 1000, silentAtMs: 1340, reactionMs: 340, assistantWasTalking: true });
  });

  it('says when the assistant was not talking at the onset, and finds nothing without an onset or a silence', () => {
    const silentAssistant = stream(true, 0, 2000, () => false);
    expect(bargeInOnWire([...silentAssistant, ...stream(false, 0, 2000, (t) => t >= 500)])?.assistantWasTalking).toBe(false);
    expect(bargeInOnWire([...silentAssistant, ...stream(false, 0, 2000, () => false)])).toBeNull();
    expect(bargeInOnWire([...stream(true, 0, 2000, () => true), ...stream(false, 0, 2000, (t) => t >= 500)])).toBeNull();
  });

  it('ignores caller sound before the call start given', () => {
    const caller = stream(false, 0, 3000, (t) => t < 100 || t >= 2000);
    const assistant = stream(true, 0, 3000, (t) => t < 2100);
    expect(bargeInOnWire([...assistant, ...caller], { fromMs: 500 })).toMatchObject({ onsetAtMs: 2000, silentAtMs: 2100, reactionMs: 100 });
  });

  it('decodes μ-law payload levels: 0xff is silence, 0x00 full scale', () => {
    expect(mulawLevel('ff:ff:ff:ff')).toBe(0);
    expect(mulawLevel('00000000')).toBeGreaterThan(30_000);
  });
});
