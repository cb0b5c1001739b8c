import { randomBytes } from 'node:crypto';

/** Prefixed random ids (`call_…`, `asst_…`, `pn_…`, `evt_…`, `whd_…`): 96 bits, URL-safe. */
export function newId(prefix: 'call' | 'asst' | 'pn' | 'evt' | 'whd' | 'key' | 'acct' | 'inst'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}
