import { DialError } from '../types.js';

/** Final status of an outbound INVITE → the end reason the API reports (sip_status kept). */
export function dialErrorFor(status: number): DialError {
  if (status === 486 || status === 600) return new DialError('busy', status);
  if (status === 603) return new DialError('declined', status);
  if (status === 404 || status === 484) return new DialError('invalid_number', status);
  return new DialError('trunk_error', status);
}
