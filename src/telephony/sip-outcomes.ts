import type { EndReason } from '../domain/call.js';
import { DialError } from './types.js';

/**
 * The final answer to an outbound INVITE → the end reason the API reports (sip_status kept).
 * One table for both engines, so callers see the same `busy`/`no_answer`/… whichever placed the call.
 * `weCanceled`: our own ring timeout sent the CANCEL, so whatever final answer crossed it means
 * the call was not answered in time.
 */
export function endReasonForSipStatus(status: number | null, weCanceled = false): EndReason {
  if (weCanceled) return 'no_answer';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 484 || status === 604) return 'invalid_number';
  return 'trunk_error';
}

export function dialErrorForSipStatus(status: number | null, weCanceled = false, detail?: string): DialError {
  return new DialError(endReasonForSipStatus(status, weCanceled), status, detail);
}
