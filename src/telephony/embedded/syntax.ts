import { randomBytes } from 'node:crypto';

/** Small grammar helpers for SIP header values: URIs, name-addr, Via, parameters, comma lists. */

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | null;
  host: string;
  port: number | null;
  params: Record<string, string | null>;
}

export interface NameAddr {
  display: string | null;
  uri: string;
  params: Record<string, string | null>;
}

export interface Via {
  transport: string;
  host: string;
  port: number | null;
  params: Record<string, string | null>;
}

/** Split on `sep` outside quotes and angle brackets (Via/Contact/Route lists, parameters). */
export function splitOutside(value: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let angle = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) { i++; continue; }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle++;
    else if (!quoted && c === '>') angle = Math.max(0, angle - 1);
    else if (!quoted && angle === 0 && c === sep) { out.push(value.slice(start, i)); start = i + 1; }
  }
  out.push(value.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseParams(parts: string[]): Record<string, string | null> {
  const params: Record<string, string | null> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) params[part.trim().toLowerCase()] = null;
    else params[part.slice(0, eq).trim().toLowerCase()] = unquote(part.slice(eq + 1).trim());
  }
  return params;
}

export function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

export function parseHostPort(hostport: string): { host: string; port: number | null } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(hostport.trim());
  if (!m) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && port > 65535) return null;
  return { host: m[1].toLowerCase(), port };
}

export function parseUri(text: string): SipUri | null {
  const m = /^(sips?|tel):(.*)$/i.exec(text.trim());
  if (!m) return null;
  const scheme = m[1].toLowerCase() as SipUri['scheme'];
  let rest = m[2];
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (scheme === 'tel') {
    const [num, ...p] = rest.split(';');
    return { scheme, user: num, host: '', port: null, params: parseParams(p) };
  }
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? decodeURIComponentSafe(rest.slice(0, at).split(':')[0]) : null;
  const [hostport, ...p] = rest.slice(at + 1).split(';');
  const hp = parseHostPort(hostport);
  if (!hp || !hp.host) return null;
  return { scheme, user, host: hp.host, port: hp.port, params: parseParams(p) };
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

export function formatUri(u: Pick<SipUri, 'scheme' | 'user' | 'host' | 'port'> & { params?: Record<string, string | null> }): string {
  const params = Object.entries(u.params ?? {}).map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`)).join('');
  return `${u.scheme}:${u.user ? `${u.user}@` : ''}${u.host}${u.port ? `:${u.port}` : ''}${params}`;
}

/** `"Bob" <sip:bob@x>;tag=1`, `<sip:bob@x>`, or addr-spec `sip:bob@x;tag=1` (params then belong to the header). */
export function parseNameAddr(value: string): NameAddr | null {
  const v = value.trim();
  const lt = indexOutsideQuotes(v, '<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) return null;
    const display = unquote(v.slice(0, lt).trim()) || null;
    const params = parseParams(splitOutside(v.slice(gt + 1), ';'));
    return { display, uri: v.slice(lt + 1, gt).trim(), params };
  }
  const [uri, ...p] = splitOutside(v, ';');
  if (!uri || /\s/.test(uri)) return null;
  return { display: null, uri, params: parseParams(p) };
}

function indexOutsideQuotes(v: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\' && quoted) { i++; continue; }
    if (v[i] === '"') quoted = !quoted;
    else if (!quoted && v[i] === ch) return i;
  }
  return -1;
}

export function parseVia(value: string): Via | null {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;]+)(.*)$/i.exec(value.trim());
  if (!m) return null;
  const hp = parseHostPort(m[2].trim());
  if (!hp) return null;
  return { transport: m[1].toUpperCase(), host: hp.host, port: hp.port, params: parseParams(splitOutside(m[3], ';')) };
}

export function tagOf(headerValue: string | undefined): string | null {
  if (!headerValue) return null;
  return parseNameAddr(headerValue)?.params.tag ?? null;
}

export function parseCSeq(value: string | undefined): { seq: number; method: string } | null {
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(value ?? '');
  if (!m) return null;
  const seq = Number(m[1]);
  return seq < 2 ** 31 ? { seq, method: m[2] } : null;
}

export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}
