import type { EndReason } from '../domain/call.js';
import { DialError } from './types.js';

/** What the dial saw before its final answer: `weCanceled` — our ring timeout sent the CANCEL; `rang` — a 180/183 came. */
export interface DialProgress {
  weCanceled?: boolean;
  rang?: boolean;
}

/**
 * The final answer to an outbound INVITE → the end reason the API reports (sip_status kept).
 * One table for both engines, so callers see the same `busy`/`no_answer`/… whichever placed the call.
 * Three cases users must tell apart: the destination rang and nobody picked up (`no_answer`),
 * nothing ever answered the INVITE — a dead trunk or destination (`no_response`), and a refusal
 * (`busy`, `declined`, `invalid_number`, else `trunk_error`, with the refusing `sip_status`).
 */
export function endReasonForSipStatus(status: number | null, progress: DialProgress = {}): EndReason {
  // Whatever final answer crossed our ring-timeout CANCEL (487, 408, a late 486…): not answered in time.
  if (progress.weCanceled || status === 408) return unanswered(progress.rang ?? false);
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 484 || status === 604) return 'invalid_number';
  return 'trunk_error';
}

export function dialErrorForSipStatus(status: number | null, progress: DialProgress = {}, detail?: string): DialError {
  return new DialError(endReasonForSipStatus(status, progress), status, detail);
}

/** No final answer in time: the ring timeout, or no response at all (Timer B, a refused connection). */
export function unanswered(rang: boolean): EndReason {
  return rang ? 'no_answer' : 'no_response';
}
