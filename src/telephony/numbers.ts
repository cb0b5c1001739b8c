/**
 * The one number syntax of the server. Both engines, the API and the number plan read numbers
 * through here, so a number that passes can be written into a Request-URI, To or From as is.
 */

/** E.164 as the API speaks it: `+`, a country code that does not start with 0, 8 to 15 digits in all. */
export const E164 = /^\+[1-9]\d{7,14}$/;
/** An extension or short number as a PBX or carrier writes it (scoped to a trunk). */
export const EXTENSION = /^\d{1,15}$/;
/** The literal a phone-number binding uses for "every number on this trunk". */
export const CATCH_ALL = '*';

export type NumberKind = 'e164' | 'extension' | 'catch_all';

export function isE164(n: string): boolean {
  return E164.test(n);
}

export function numberKind(n: string): NumberKind | null {
  if (n === CATCH_ALL) return 'catch_all';
  if (E164.test(n)) return 'e164';
  if (EXTENSION.test(n)) return 'extension';
  return null;
}

/**
 * Characters that could break out of a URI or header value (CR/LF, quotes, brackets, spaces,
 * `;`, `?` and `@` that would start parameters, headers or another host).
 */
const UNSAFE = /[\s<>"\\;?@,\x00-\x1f\x7f]/;

export function isHeaderSafe(user: string): boolean {
  return user.length > 0 && user.length <= 64 && !UNSAFE.test(user);
}

/**
 * A dialled or calling number as written on the wire: drops visual separators that carriers and
 * phones put in user parts (`+1 (555) 000-2222`, `555.000.2222`) and nothing else. Returns null
 * for anything that is not a number (`alice`, `anonymous`, `+`).
 */
export function digitsOf(raw: string): { plus: boolean; digits: string } | null {
  const cleaned = raw.trim().replace(/[\s().-]/g, '');
  const m = /^(\+?)(\d+)$/.exec(cleaned);
  return m ? { plus: m[1] === '+', digits: m[2]! } : null;
}
