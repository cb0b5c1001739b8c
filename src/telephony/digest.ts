import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP digest for SIP (RFC 3261 §22, RFC 2617 MD5 with qop=auth), shared by both engines:
 * the client side answers a trunk's challenge, the server side checks an inbound INVITE's answer.
 * Nonce lifetime and replay checks live in digest-nonces.ts; this file is only the arithmetic.
 */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  qop: string[];
  algorithm: string;
  stale: boolean;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

/** The fields of an Authorization header that the server checks. */
export interface DigestAnswer {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop: string | null;
  /** Nonce count as sent (8 hex digits), null without qop. */
  nc: string | null;
  cnonce: string | null;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** auth-params (RFC 2617 §1.2): comma-separated name=value, values optionally quoted (commas inside quotes). */
export function parseAuthParams(header: string | undefined): Record<string, string> | null {
  if (!header || !/^\s*digest\s/i.test(header)) return null;
  const text = header.replace(/^\s*digest\s+/i, '');
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*(?:,|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    params[m[1]!.toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!;
    if (m[0].length === 0) break;
  }
  return params;
}

export function parseChallenge(header: string | undefined): DigestChallenge | null {
  const p = parseAuthParams(header);
  if (!p?.realm || !p.nonce) return null;
  return {
    realm: p.realm, nonce: p.nonce, opaque: p.opaque ?? null,
    qop: (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase()).filter(Boolean),
    algorithm: (p.algorithm ?? 'MD5').toUpperCase(), stale: (p.stale ?? '').toLowerCase() === 'true',
  };
}

/** Authorization / Proxy-Authorization value answering `challenge`; null for algorithms we can't do. */
export function authorize(challenge: DigestChallenge, creds: DigestCredentials, method: string, uri: string, nc = 1): string | null {
  if (challenge.algorithm !== 'MD5') return null;
  const parts = [`username="${creds.username}"`, `realm="${challenge.realm}"`, `nonce="${challenge.nonce}"`, `uri="${uri}"`];
  if (challenge.qop.includes('auth')) {
    const cnonce = randomBytes(8).toString('hex');
    const ncHex = nc.toString(16).padStart(8, '0');
    const response = digestResponse(creds, { realm: challenge.realm, nonce: challenge.nonce, uri, qop: 'auth', nc: ncHex, cnonce }, method);
    parts.push(`response="${response}"`, 'qop=auth', `nc=${ncHex}`, `cnonce="${cnonce}"`);
  } else {
    parts.push(`response="${digestResponse(creds, { realm: challenge.realm, nonce: challenge.nonce, uri, qop: null, nc: null, cnonce: null }, method)}"`);
  }
  parts.push('algorithm=MD5');
  if (challenge.opaque !== null) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

/** The fields a server needs from an Authorization header; null when any is missing or the algorithm isn't MD5. */
export function parseAuthorization(header: string | undefined): DigestAnswer | null {
  const p = parseAuthParams(header);
  if (!p?.username || !p.realm || !p.nonce || !p.uri || !p.response) return null;
  if (p.algorithm !== undefined && p.algorithm.toUpperCase() !== 'MD5') return null;
  return {
    username: p.username, realm: p.realm, nonce: p.nonce, uri: p.uri, response: p.response.toLowerCase(),
    qop: p.qop?.toLowerCase() ?? null, nc: p.nc ?? null, cnonce: p.cnonce ?? null,
  };
}

/** The request-digest (RFC 2617 §3.2.2.1) the holder of `creds` would send. */
export function digestResponse(creds: DigestCredentials, a: Omit<DigestAnswer, 'username' | 'response'>, method: string): string {
  const ha1 = md5(`${creds.username}:${a.realm}:${creds.password}`);
  const ha2 = md5(`${method}:${a.uri}`);
  return a.qop ? md5(`${ha1}:${a.nonce}:${a.nc}:${a.cnonce}:${a.qop}:${ha2}`) : md5(`${ha1}:${a.nonce}:${ha2}`);
}

/** WWW-Authenticate value for a server challenge; `stale` tells a client its password was right but the nonce old. */
export function challengeHeader(realm: string, nonce: string, stale = false): string {
  return `Digest realm="${realm}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`;
}
