import type { Config } from '../config/schema.js';
import { callCost } from './cost.js';
import type { CallRow, CallStateMachine } from './state-machine.js';
import type { CallStatus, EndReason } from './types.js';

export interface CloseNow {
  callId: string;
  /** When the call was answered; null if it never was. */
  answeredAt: number | null;
  /** When it ended: now, or the last evidence it was alive (crash recovery). */
  endedAt: number;
  endReason: EndReason;
  /** Final status of a call that was never answered (`canceled` on shutdown, `failed` after a crash). */
  unansweredStatus: CallStatus;
  /** Why there is no analysis. */
  note: string;
}

/**
 * Closes a call outside its normal lifecycle (shutdown wait over, or a crash found at the
 * next start) through the state machine, so it still gets exactly one call.completed.
 * Resolves with the closed row, or null when it was already closed.
 */
export function closeNow(machine: CallStateMachine, pricing: Config['pricing'], c: CloseNow): Promise<CallRow | null> {
  if (c.answeredAt === null) {
    return machine.transition(c.callId, c.unansweredStatus, { end_reason: c.endReason, ended_at: c.endedAt, duration_seconds: 0, cost: 0 });
  }
  const connectedMs = Math.max(0, c.endedAt - c.answeredAt);
  return machine.transition(c.callId, 'completed', {
    end_reason: c.endReason, ended_at: c.endedAt, duration_seconds: Math.round(connectedMs / 1000), cost: callCost(connectedMs, pricing),
    analysis: JSON.stringify({ sentiment: null, intent: null, summary: null, success: null, error: c.note }),
  });
}
