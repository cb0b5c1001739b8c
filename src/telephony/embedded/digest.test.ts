import { describe, expect, it } from 'vitest';
import { authorize, parseChallenge, verifyAuthorization } from './digest.js';

describe('SIP digest (MD5, qop=auth)', () => {
  // RFC 2617 §3.5's worked example.
  const rfcAnswer = 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
  const mufasa = { username: 'Mufasa', password: 'Circle Of Life' };

  it('checks the RFC 2617 example answer, and refuses a wrong password', () => {
    expect(verifyAuthorization(rfcAnswer, mufasa, 'testrealm@host.com', 'GET', () => true)).toBe(true);
    expect(verifyAuthorization(rfcAnswer, { ...mufasa, password: 'x' }, 'testrealm@host.com', 'GET', () => true)).toBe(false);
    expect(verifyAuthorization(rfcAnswer, mufasa, 'testrealm@host.com', 'GET', () => false)).toBe(false);
  });

  it('answers a parsed challenge so that the server side accepts it', () => {
    const challenge = parseChallenge('Digest realm="pbx", nonce="abc123", qop="auth,auth-int", opaque="xyz", algorithm=MD5');
    expect(challenge).toMatchObject({ realm: 'pbx', nonce: 'abc123', qop: ['auth', 'auth-int'], opaque: 'xyz' });
    const header = authorize(challenge!, { username: 'u', password: 'p' }, 'INVITE', 'sip:+15551234@pbx')!;
    expect(header).toMatch(/qop=auth, nc=00000001/);
    expect(header).toMatch(/opaque="xyz"/);
    expect(verifyAuthorization(header, { username: 'u', password: 'p' }, 'pbx', 'INVITE', (n) => n === 'abc123')).toBe(true);
  });

  it('does not answer algorithms it cannot compute', () => {
    const challenge = parseChallenge('Digest realm="pbx", nonce="n", algorithm=SHA-256');
    expect(authorize(challenge!, { username: 'u', password: 'p' }, 'INVITE', 'sip:x')).toBeNull();
    expect(parseChallenge('Basic realm="x"')).toBeNull();
  });
});
