import type { TrunkConfig } from '../config/schema.js';
import { digitsOf, E164, EXTENSION } from './numbers.js';

export type Numbering = TrunkConfig['numbering'];

/**
 * A number as a trunk wrote it → the form the API speaks: E.164, or an extension kept as written
 * (scoped to the trunk). Null = not a number at all. Rules, in order, for digits without `+`:
 * 1. up to `extension_max_digits` digits: an extension / short number, kept;
 * 2. starts with `international_prefix` ("00", "011"): the rest is international;
 * 3. starts with `national_prefix` (and the trunk has a `country_code`): national;
 * 4. starts with the trunk's `country_code`, or the trunk has none: international without its `+`;
 * 5. else national without its prefix.
 */
export function fromTrunk(raw: string, numbering: Numbering): string | null {
  const parsed = digitsOf(raw);
  if (!parsed) return null;
  const { plus, digits } = parsed;
  if (plus) return E164.test(`+${digits}`) ? `+${digits}` : null;
  if (digits.length <= numbering.extension_max_digits) return EXTENSION.test(digits) ? digits : null;
  const cc = numbering.country_code;
  const ip = numbering.international_prefix;
  const np = numbering.national_prefix;
  let e164: string;
  if (ip && digits.startsWith(ip)) e164 = `+${digits.slice(ip.length)}`;
  else if (cc && np && digits.startsWith(np)) e164 = `+${cc}${digits.slice(np.length)}`;
  else if (!cc || digits.startsWith(cc)) e164 = `+${digits}`;
  else e164 = `+${cc}${digits}`;
  return E164.test(e164) ? e164 : null;
}

/** An E.164 number (or a trunk extension) → the user part this trunk wants in the Request-URI / From. */
export function toTrunk(number: string, numbering: Numbering): string {
  if (!E164.test(number)) return number;
  const digits = number.slice(1);
  switch (numbering.outbound_format) {
    case 'e164': return number;
    case 'e164_without_plus': return digits;
    case 'national': {
      const cc = numbering.country_code;
      if (cc && digits.startsWith(cc)) return `${numbering.national_prefix}${digits.slice(cc.length)}`;
      return `${numbering.international_prefix}${digits}`;
    }
  }
}
