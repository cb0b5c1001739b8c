/**
 * Reading the addresses of a SIP request (Request-URI, To, From, P-Called-Party-ID, Diversion,
 * History-Info) the same way in both engines. `sip:`, `sips:` and `tel:` are handled here once.
 */

export interface AddressUser {
  scheme: 'sip' | 'sips' | 'tel';
  /** Percent-decoded user part (`+15550002222`, `2050`), or null when the URI has none. */
  user: string | null;
  /** The URI without parameters or headers (`sip:2050@pbx.example`). */
  bare: string;
}

/** The URI of a header value: inside `<…>` when present, else the addr-spec before its parameters. */
export function uriOf(headerValue: string): string | null {
  const v = headerValue.trim();
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    return gt > lt + 1 ? v.slice(lt + 1, gt).trim() : null;
  }
  const uri = v.split(';')[0]!.trim();
  return uri && !/\s/.test(uri) ? uri : null;
}

export function parseAddress(uriOrHeader: string): AddressUser | null {
  const uri = uriOf(uriOrHeader);
  if (!uri) return null;
  const m = /^(sips?|tel):([^?]*)/i.exec(uri);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase() as AddressUser['scheme'];
  const rest = m[2]!;
  if (scheme === 'tel') {
    const user = decode(rest.split(';')[0]!);
    return user ? { scheme, user, bare: `tel:${user}` } : null;
  }
  const at = rest.lastIndexOf('@');
  const hostPart = rest.slice(at + 1).split(';')[0]!;
  if (!hostPart) return null;
  const user = at >= 0 ? decode(rest.slice(0, at).split(';')[0]!.split(':')[0]!) : null;
  return { scheme, user: user || null, bare: `${scheme}:${at >= 0 ? `${rest.slice(0, at).split(';')[0]}@` : ''}${hostPart}` };
}

/** Entries of a comma-separated header (Diversion, History-Info), commas inside `<…>` or quotes kept. */
export function headerEntries(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    let quoted = false;
    let angle = 0;
    let start = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if (c === '"') quoted = !quoted;
      else if (!quoted && c === '<') angle++;
      else if (!quoted && c === '>') angle = Math.max(0, angle - 1);
      else if (!quoted && angle === 0 && c === ',') { out.push(value.slice(start, i)); start = i + 1; }
    }
    out.push(value.slice(start));
  }
  return out.map((s) => s.trim()).filter(Boolean);
}

function decode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}
