import { describe, expect, it } from 'vitest';
import { PlayoutMarks } from './playout-marks.js';

const playout = (token: string, event = 'playout') => JSON.stringify({ type: 'mark', data: { name: token, event } });
const tokenOf = (frame: string) => (JSON.parse(frame) as { data: { name: string } }).data.name;

describe('marks confirmed by FreeSWITCH playout', () => {
  it('fire on FreeSWITCH\'s playout event, in order, with any earlier mark it skipped', () => {
    const marks = new PlayoutMarks();
    const a = tokenOf(marks.send('sentence-1', 0));
    const b = tokenOf(marks.send('sentence-2', 0));
    const c = tokenOf(marks.send('sentence-3', 0));
    expect(marks.confirm(playout(a))).toEqual(['sentence-1']);
    expect(marks.confirm(playout(a))).toEqual([]); // once
    expect(marks.confirm(playout(c))).toEqual(['sentence-2', 'sentence-3']);
    expect(b).not.toBe(c);
  });

  it('ignore cleared events, other messages and junk', () => {
    const marks = new PlayoutMarks();
    const a = tokenOf(marks.send('x', 0));
    expect(marks.confirm(playout(a, 'cleared'))).toEqual([]);
    expect(marks.confirm('{"type":"transcription","data":{}}')).toEqual([]);
    expect(marks.confirm('not json')).toEqual([]);
    expect(marks.drop()).toEqual(['x']);
  });

  it('fire on the timeout when FreeSWITCH never confirms, counted', () => {
    const marks = new PlayoutMarks({ confirmTimeoutMs: 1000 });
    marks.send('early', 0);
    marks.send('late', 600);
    expect(marks.overdue(999)).toEqual([]);
    expect(marks.overdue(1000)).toEqual(['early']);
    expect(marks.overdue(1600)).toEqual(['late']);
    expect(marks.unconfirmed).toBe(2);
  });
});
