import type { SipRequest } from './message.js';
import { tooSmall, type SessionTimerOptions } from './session-timer.js';
import { splitOutside } from './syntax.js';

/** Option tags we implement (RFC 3261 §19.2); a Require naming anything else gets 420. */
export const SUPPORTED_OPTIONS: readonly string[] = ['timer'];

const SCHEMES = new Set(['sip', 'sips', 'tel']);
/** Methods whose body we read as a session description. */
const SDP_METHODS = new Set(['INVITE', 'UPDATE', 'ACK', 'PRACK']);

export interface EarlyRefusal {
  status: 406 | 415 | 416 | 420 | 422;
  headers: Record<string, string>;
}

/**
 * What a UAS checks before looking at what a request means (RFC 3261 §8.2.2–8.2.3), in that order:
 * a Request-URI scheme we don't speak (416), a Require naming an extension we lack (420, with
 * Unsupported), a body type we can't read (415, with Accept), an Accept our answer can't satisfy
 * (406), a session timer shorter than our Min-SE (422, RFC 4028 §8.1). Null: carry on. ACK and
 * CANCEL are never refused here (§8.2.2.3).
 */
export function checkRequest(req: SipRequest, sessionTimers: SessionTimerOptions): EarlyRefusal | null {
  if (req.method === 'ACK' || req.method === 'CANCEL') return null;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(req.uri)?.[1]?.toLowerCase();
  if (!scheme || !SCHEMES.has(scheme)) return { status: 416, headers: {} };

  const unsupported = req.headers.getAll('require')
    .flatMap((v) => splitOutside(v, ','))
    .filter((tag) => !SUPPORTED_OPTIONS.includes(tag.toLowerCase()));
  if (unsupported.length > 0) return { status: 420, headers: { unsupported: unsupported.join(', ') } };

  if (!SDP_METHODS.has(req.method)) return null;
  const minSe = req.method === 'INVITE' || req.method === 'UPDATE' ? tooSmall(req.headers, sessionTimers) : null;
  if (minSe !== null) return { status: 422, headers: { 'min-se': String(minSe) } };
  const type = mediaType(req.headers.get('content-type'));
  if (req.body.length > 0 && type !== null && type !== 'application/sdp') return { status: 415, headers: { accept: 'application/sdp' } };
  const accept = req.headers.get('accept');
  if (req.method === 'INVITE' && accept !== undefined && accept.trim() !== '' && !acceptsSdp(accept)) return { status: 406, headers: { accept: 'application/sdp' } };
  return null;
}

function mediaType(value: string | undefined): string | null {
  if (value === undefined) return null;
  return value.split(';')[0]!.trim().toLowerCase();
}

function acceptsSdp(accept: string): boolean {
  return splitOutside(accept, ',').some((range) => ['application/sdp', 'application/*', '*/*'].includes(mediaType(range) ?? ''));
}
