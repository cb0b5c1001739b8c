/**
 * Exponential backoff with jitter: base·2^(attempt-1), capped, then scaled by a random
 * factor in [0.5, 1) so that receivers coming back up are not hit by every retry at once.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exp * (0.5 + random() * 0.5));
}
