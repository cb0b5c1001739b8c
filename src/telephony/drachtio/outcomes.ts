import type { EndReason } from '../../domain/call.js';
import { DialError } from '../types.js';

/**
 * How a failed INVITE maps to an end reason. Both engines must agree, so callers see the
 * same `busy`/`no_answer`/… whatever engine placed the call.
 * `weCanceled` is true when our own ring timeout sent the CANCEL (487/408 then mean no answer).
 */
export function endReasonForSipStatus(status: number | null, weCanceled: boolean): EndReason {
  // Whatever final response crosses our ring-timeout CANCEL (487, 408, a late 486…), the
  // call was not answered in time: same as the embedded engine.
  if (weCanceled) return 'no_answer';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 484) return 'invalid_number';
  return 'trunk_error';
}

export function dialErrorForSipStatus(status: number | null, weCanceled: boolean, detail?: string): DialError {
  const reason = endReasonForSipStatus(status, weCanceled);
  return new DialError(reason, status, detail);
}
