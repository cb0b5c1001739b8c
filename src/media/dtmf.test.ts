import { describe, expect, it } from 'vitest';
import { DtmfReceiver, DtmfSender, dtmfEventCode, writeDtmfPayload } from './dtmf.js';

describe('DtmfSender', () => {
  it('sends each digit as growing-duration packets, then three end packets, all on the event timestamp', () => {
    const s = new DtmfSender({ toneMs: 100, gapMs: 40 });
    let resolved = false;
    void s.enqueue('5').then(() => (resolved = true));
    const packets = [];
    for (let ts = 1000; ; ts += 160) {
      const p = s.next(ts);
      if (p === null || p === 'gap') break;
      packets.push({ ...p });
    }
    expect(packets.map((p) => p.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(packets.map((p) => p.end)).toEqual([false, false, false, false, true, true, true]);
    expect(packets.map((p) => p.first)).toEqual([true, false, false, false, false, false, false]);
    expect(new Set(packets.map((p) => p.startTimestamp))).toEqual(new Set([1000]));
    expect(packets.every((p) => p.event === 5)).toBe(true);
    return Promise.resolve().then(() => expect(resolved).toBe(true));
  });

  it('pauses between digits and rejects anything that is not a DTMF digit', () => {
    const s = new DtmfSender({ toneMs: 40, gapMs: 40 });
    void s.enqueue('1#');
    const seen = Array.from({ length: 12 }, (_, i) => {
      const p = s.next(i * 160);
      return p === null || p === 'gap' ? p : p.event;
    });
    expect(seen).toEqual([1, 1, 1, 1, 'gap', 'gap', 11, 11, 11, 11, 'gap', 'gap']);
    expect(() => s.enqueue('1x')).toThrow(RangeError);
    expect(dtmfEventCode('d')).toBe(15);
  });
});

describe('DtmfReceiver', () => {
  const payload = (event: number, end: boolean, duration: number) => {
    const b = new Uint8Array(4);
    writeDtmfPayload(b, 0, event, end, 10, duration);
    return b;
  };

  it('reports one digit per event however many packets and end retransmissions arrive', () => {
    const got: Array<[string, number]> = [];
    const r = new DtmfReceiver(8000, (d, ms) => got.push([d, ms]));
    for (const [end, dur] of [[false, 160], [false, 320], [true, 640], [true, 640], [true, 640]] as const) r.receive(payload(9, end, dur), 0, 4, 5000);
    r.receive(payload(10, true, 800), 0, 4, 9000);
    r.receive(payload(10, true, 800), 0, 4, 9000);
    expect(got).toEqual([['9', 80], ['*', 100]]);
  });

  it('still reports a digit whose end packets were all lost, when the next event begins', () => {
    const got: string[] = [];
    const r = new DtmfReceiver(8000, (d) => got.push(d));
    r.receive(payload(1, false, 160), 0, 4, 100);
    r.receive(payload(2, false, 160), 0, 4, 2000);
    r.receive(payload(2, true, 320), 0, 4, 2000);
    r.receive(new Uint8Array([1, 2]), 0, 2, 3000); // truncated: ignored
    expect(got).toEqual(['1', '2']);
  });
});
