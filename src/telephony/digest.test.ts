import { describe, expect, it } from 'vitest';
import { authorize, digestResponse, parseAuthorization, parseChallenge } from './digest.js';

describe('SIP digest (MD5, qop=auth)', () => {
  // RFC 2617 §3.5's worked example.
  const rfcAnswer = 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
  const mufasa = { username: 'Mufasa', password: 'Circle Of Life' };

  it('computes the RFC 2617 example answer, and a different one for a wrong password', () => {
    const answer = parseAuthorization(rfcAnswer)!;
    expect(answer).toMatchObject({ username: 'Mufasa', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' });
    expect(digestResponse(mufasa, answer, 'GET')).toBe(answer.response);
    expect(digestResponse({ ...mufasa, password: 'x' }, answer, 'GET')).not.toBe(answer.response);
  });

  it('answers a parsed challenge so that the server side computes the same digest', () => {
    const challenge = parseChallenge('Digest realm="pbx", nonce="abc123", qop="auth,auth-int", opaque="xyz", algorithm=MD5');
    expect(challenge).toMatchObject({ realm: 'pbx', nonce: 'abc123', qop: ['auth', 'auth-int'], opaque: 'xyz' });
    const header = authorize(challenge!, { username: 'u', password: 'p' }, 'INVITE', 'sip:+15551234@pbx', 3)!;
    expect(header).toMatch(/qop=auth, nc=00000003/);
    expect(header).toMatch(/opaque="xyz"/);
    const answer = parseAuthorization(header)!;
    expect(answer).toMatchObject({ nonce: 'abc123', uri: 'sip:+15551234@pbx', nc: '00000003' });
    expect(digestResponse({ username: 'u', password: 'p' }, answer, 'INVITE')).toBe(answer.response);
  });

  it('keeps commas inside quoted values and refuses what it cannot check', () => {
    expect(parseAuthorization('Digest username="a,b", realm="r", nonce="n", uri="sip:x;a=1,2", response="ABC"')).toMatchObject({ username: 'a,b', uri: 'sip:x;a=1,2', response: 'abc' });
    expect(parseAuthorization('Digest username="a", realm="r", nonce="n", uri="sip:x"')).toBeNull();
    expect(parseAuthorization('Digest username="a", realm="r", nonce="n", uri="sip:x", response="1", algorithm=SHA-256')).toBeNull();
    expect(parseAuthorization('Basic YTpi')).toBeNull();
  });

  it('does not answer algorithms it cannot compute', () => {
    const challenge = parseChallenge('Digest realm="pbx", nonce="n", algorithm=SHA-256');
    expect(authorize(challenge!, { username: 'u', password: 'p' }, 'INVITE', 'sip:x')).toBeNull();
    expect(parseChallenge('Basic realm="x"')).toBeNull();
  });
});
