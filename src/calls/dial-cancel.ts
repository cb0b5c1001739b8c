import { DialError, type CallLeg } from '../telephony/types.js';

/**
 * A dial that a cancel settles quickly, whatever the engine. Once `signal` aborts, the engine
 * CANCELs (at once, or when a provisional arrives: RFC 3261 §9.1 forbids it before) and the dial
 * rejects as soon as the far end confirms — but never later than `settleMs`: a trunk that sends
 * nothing would otherwise hold the call until the INVITE transaction times out (Timer B, 32 s).
 * The engine keeps cleaning up after that; a leg answered too late is hung up here.
 */
export function dialWithCancelBound(dial: Promise<CallLeg>, signal: AbortSignal, settleMs: number, reasonOnCancel: () => DialError): Promise<CallLeg> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const bound = new Promise<never>((_, reject) => {
    onAbort = () => { timer = setTimeout(() => reject(reasonOnCancel()), settleMs); };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  let settled = false;
  void dial.then((leg) => {
    if (settled) void leg.hangup('canceled').catch(() => undefined);
  }, () => undefined);
  return Promise.race([dial, bound]).finally(() => {
    settled = true;
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  });
}
