import { createHash, randomBytes } from 'node:crypto';
import { parseParams, splitOutside } from './syntax.js';

/** HTTP digest for SIP (RFC 3261 §22, RFC 2617 MD5 with qop=auth). */
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

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export function parseChallenge(header: string | undefined): DigestChallenge | null {
  if (!header || !/^\s*digest\s/i.test(header)) return null;
  const p = parseParams(splitOutside(header.replace(/^\s*digest\s+/i, ''), ','));
  if (!p.realm || !p.nonce) return null;
  return {
    realm: p.realm, nonce: p.nonce, opaque: p.opaque ?? null,
    qop: (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase()).filter(Boolean),
    algorithm: (p.algorithm ?? 'MD5').toUpperCase(), stale: (p.stale ?? '').toLowerCase() === 'true',
  };
}

/** Authorization / Proxy-Authorization value answering `challenge`; null for algorithms we can't do. */
export function authorize(challenge: DigestChallenge, creds: DigestCredentials, method: string, uri: string, nc = 1): string | null {
  if (challenge.algorithm !== 'MD5') return null;
  const ha1 = md5(`${creds.username}:${challenge.realm}:${creds.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const parts = [`username="${creds.username}"`, `realm="${challenge.realm}"`, `nonce="${challenge.nonce}"`, `uri="${uri}"`];
  if (challenge.qop.includes('auth')) {
    const cnonce = randomBytes(8).toString('hex');
    const ncHex = nc.toString(16).padStart(8, '0');
    parts.push(`response="${md5(`${ha1}:${challenge.nonce}:${ncHex}:${cnonce}:auth:${ha2}`)}"`, 'qop=auth', `nc=${ncHex}`, `cnonce="${cnonce}"`);
  } else {
    parts.push(`response="${md5(`${ha1}:${challenge.nonce}:${ha2}`)}"`);
  }
  parts.push('algorithm=MD5');
  if (challenge.opaque !== null) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

/** Server side (inbound_auth): issue a challenge and check the answer. */
export function createChallenge(realm: string): { header: string; nonce: string } {
  const nonce = randomBytes(16).toString('hex');
  return { header: `Digest realm="${realm}", nonce="${nonce}", qop="auth", algorithm=MD5`, nonce };
}

export function verifyAuthorization(header: string | undefined, creds: DigestCredentials, realm: string, method: string, isNonceValid: (nonce: string) => boolean): boolean {
  if (!header || !/^\s*digest\s/i.test(header)) return false;
  const p = parseParams(splitOutside(header.replace(/^\s*digest\s+/i, ''), ','));
  if (p.username !== creds.username || p.realm !== realm || !p.nonce || !p.uri || !p.response) return false;
  if (!isNonceValid(p.nonce)) return false;
  const ha1 = md5(`${creds.username}:${realm}:${creds.password}`);
  const ha2 = md5(`${method}:${p.uri}`);
  const expected = p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
  return expected === p.response.toLowerCase();
}
