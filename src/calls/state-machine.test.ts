import { describe, expect, it } from 'vitest';
import { CALL_STATUSES } from './types.js';
import { canTransition, isTerminal, statusForUnconnected } from './state-machine.js';

describe('call state machine', () => {
  it('follows queued → ringing → in_progress → completed', () => {
    expect(canTransition('queued', 'ringing')).toBe(true);
    expect(canTransition('ringing', 'in_progress')).toBe(true);
    expect(canTransition('in_progress', 'completed')).toBe(true);
  });

  it('refuses to leave a terminal status or to go back', () => {
    for (const from of ['completed', 'busy', 'no_answer', 'failed', 'canceled'] as const) {
      expect(isTerminal(from)).toBe(true);
      for (const to of CALL_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
    expect(canTransition('in_progress', 'ringing')).toBe(false);
    expect(canTransition('in_progress', 'busy')).toBe(false);
    expect(canTransition('queued', 'completed')).toBe(false);
  });

  it('maps dial failures to terminal statuses', () => {
    expect(statusForUnconnected('busy')).toBe('busy');
    expect(statusForUnconnected('no_answer')).toBe('no_answer');
    expect(statusForUnconnected('canceled')).toBe('canceled');
    expect(statusForUnconnected('customer_hangup')).toBe('canceled');
    expect(statusForUnconnected('trunk_error')).toBe('failed');
    expect(statusForUnconnected('declined')).toBe('failed');
  });
});
