import type { CallLeg } from '../telephony/types.js';

/**
 * The leg as the rest of the call sees it, with one addition: a transfer that succeeds (REFER
 * accepted, or the bridged fallback) is reported, so the call ends `transferred` whoever asked —
 * the API, the `transfer_call` tool or a custom LLM — and whoever hangs up afterwards.
 */
export function reportingTransfers(leg: CallLeg, onTransferred: (method: 'refer' | 'bridge') => void): CallLeg {
  return {
    get callId() { return leg.callId; },
    get media() { return leg.media; },
    get answeredAt() { return leg.answeredAt; },
    get remote() { return leg.remote; },
    get ended() { return leg.ended; },
    hangup: (endReason) => leg.hangup(endReason),
    onEnded: (listener) => leg.onEnded(listener),
    stats: () => leg.stats(),
    // Crash recovery persists the dialog state through the leg the call holds.
    dialogState: () => leg.dialogState?.() ?? null,
    async transfer(to) {
      const result = await leg.transfer(to);
      onTransferred(result.method);
      return result;
    },
  };
}
